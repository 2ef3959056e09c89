/** The Mailer port on SES v2 SendEmail, with SES's refusals sorted by who can fix them. */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeliveryRefused, type Mailer, type OutgoingEmail } from '../use-cases/invitation-emails';

/**
 * Refusals no retry and no operator can change: the address or the content of this message.
 * BadRequestException is what SES answers to an address it cannot parse.
 */
const MESSAGE_ERRORS = new Set(['BadRequestException']);

/**
 * Refusals that stop every email until the operator fixes SES; retried once the operator
 * re-drives (or the sweep tries the held sends again). The code is what the invitation shows.
 */
const ACCOUNT_ERRORS: Record<string, string> = {
  AccountSuspendedException: 'AccountSuspended',
  SendingPausedException: 'SendingPaused',
  MailFromDomainNotVerifiedException: 'MailFromDomainNotVerified',
  // The configuration set (or another named resource) does not exist in this account and region.
  NotFoundException: 'ConfigurationSetMissing',
  // Daily sending quota used up: it resets, or the operator has it raised.
  LimitExceededException: 'SendingQuotaExceeded',
  AccessDeniedException: 'NotAuthorized',
};

/**
 * SES names an unverified sender identity and a recipient the sandbox does not allow with the
 * same error as a bad message (MessageRejected); only the message tells them apart.
 */
const UNVERIFIED_IDENTITY = /not verified|failed the check/i;

/** Throttling by any of its names: always worth a retry, whatever status code it came with. */
const THROTTLING = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
    /** Bounds the whole call, on top of the client's connection and socket timeouts. */
    private readonly timeoutMs?: number,
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
        this.timeoutMs ? { abortSignal: AbortSignal.timeout(this.timeoutMs) } : {},
      );
      return { messageId: MessageId };
    } catch (error) {
      throw classify(error);
    }
  }
}

/** A DeliveryRefused for refusals, the error itself for everything worth a retry. */
export function classify(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const options = { cause: error };
  if (error.name === 'MessageRejected') {
    return UNVERIFIED_IDENTITY.test(error.message)
      ? new DeliveryRefused('account', 'IdentityNotVerified', options)
      : new DeliveryRefused('message', 'MessageRejected', options);
  }
  if (MESSAGE_ERRORS.has(error.name)) return new DeliveryRefused('message', error.name, options);
  const account = ACCOUNT_ERRORS[error.name];
  if (account) return new DeliveryRefused('account', account, options);
  // Any other answer SES gave as the client's fault will not change by retrying: hold it for the
  // operator rather than fail it for good or retry it forever. Throttling and 5xx stay transient.
  const { $fault, $metadata } = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if ($fault === 'client' && status !== undefined && status < 500 && status !== 429 && !THROTTLING.has(error.name)) {
    return new DeliveryRefused('account', error.name, options);
  }
  return error;
}
