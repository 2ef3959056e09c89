import { SESv2Client } from '@aws-sdk/client-sesv2';
import { emailConfig } from './config';

/**
 * Created once per cold start. Locally SES_ENDPOINT points it at the SES v2 emulator.
 *
 * One attempt per call: SES takes no idempotency key, and when a connection drops after SES
 * accepted a message, the SDK's own retry would send it again without anyone knowing. Retries
 * happen a level up, where each attempt is claimed and counted on the invitation. Every call is
 * bounded, so a hung connection costs one timeout, not the whole invocation.
 */
export const ses = new SESv2Client({
  endpoint: emailConfig.SES_ENDPOINT,
  maxAttempts: 1,
  requestHandler: {
    connectionTimeout: Math.min(2_000, emailConfig.SES_SEND_TIMEOUT_MS),
    requestTimeout: emailConfig.SES_SEND_TIMEOUT_MS,
  },
});
