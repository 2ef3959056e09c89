import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailConfig } from './config';

/**
 * One attempt per call: SES takes no idempotency key, and when a connection drops after SES
 * accepted a message, the SDK's own retry would send it again without anyone knowing. Retries
 * happen a level up, where each attempt is claimed and counted on the invitation. Every call is
 * bounded, so a hung connection costs one timeout, not the whole invocation.
 */
export function sesClient(config: Pick<EmailConfig, 'SES_ENDPOINT' | 'SES_SEND_TIMEOUT_MS'>): SESv2Client {
  return new SESv2Client({
    endpoint: config.SES_ENDPOINT,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(2_000, config.SES_SEND_TIMEOUT_MS),
      requestTimeout: config.SES_SEND_TIMEOUT_MS,
    },
  });
}
