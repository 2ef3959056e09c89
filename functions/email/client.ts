import { SESv2Client } from '@aws-sdk/client-sesv2';
import { emailConfig } from './config';

/** Created once per cold start. Locally SES_ENDPOINT points it at the SES v2 emulator. */
export const ses = new SESv2Client({ endpoint: emailConfig.SES_ENDPOINT });
