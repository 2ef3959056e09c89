/** The Mailer port on SES v2 SendEmail. */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { type Mailer, type OutgoingEmail, PermanentDeliveryFailure } from '../use-cases/invitation-emails';

/**
 * Refusals that concern this message: the address or the content. Everything else — throttling,
 * quotas, a paused or suspended account, an unverified sender, 5xx, network errors — is retried
 * and, if it persists, parked in the dead-letter queue until someone fixes the cause.
 */
const PERMANENT_ERRORS = new Set(['MessageRejected', 'BadRequestException']);

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId?: string }> {
    try {
      const { MessageId } = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
            },
          },
          ConfigurationSetName: this.configurationSet,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      return { messageId: MessageId };
    } catch (error) {
      if (error instanceof Error && PERMANENT_ERRORS.has(error.name)) {
        throw new PermanentDeliveryFailure(error.name, { cause: error });
      }
      throw error;
    }
  }
}
