import { describe, expect, it, vi } from 'vitest';

// Both modules also read the process environment once when imported.
vi.hoisted(() => {
  process.env.ACCEPT_URL = 'https://app.example.com/accept';
  process.env.SES_FROM_ADDRESS = 'invite@example.com';
  process.env.TOKEN_KEY_FILE = '/nonexistent/token-key';
  delete process.env.TOKEN_KEY_SECRET_ARN;
});

import { loadEmailConfig } from '../../../functions/email/config';
import { tokenKeySource } from '../../../functions/email/token-key';

const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:link-token-key-AbCdEf';

describe('the link-token key source', () => {
  it('is a Secrets Manager secret or a key file', () => {
    expect(tokenKeySource({ TOKEN_KEY_SECRET_ARN: arn })).toEqual({ secretArn: arn });
    expect(tokenKeySource({ TOKEN_KEY_FILE: '/var/lib/invitations/token-key' })).toEqual({
      file: '/var/lib/invitations/token-key',
    });
  });

  it('must be exactly one of the two', () => {
    expect(() => tokenKeySource({})).toThrow(
      'Invalid link-token key configuration: env: set exactly one of TOKEN_KEY_SECRET_ARN and TOKEN_KEY_FILE',
    );
    expect(() => tokenKeySource({ TOKEN_KEY_SECRET_ARN: arn, TOKEN_KEY_FILE: '/k' })).toThrow(/exactly one/);
    expect(() => tokenKeySource({ TOKEN_KEY_SECRET_ARN: 'link-token-key' })).toThrow(
      /TOKEN_KEY_SECRET_ARN: must be a secret ARN/,
    );
  });
});

describe('the email configuration', () => {
  it('needs the accept page and the sender; the configuration set and endpoint are optional', () => {
    expect(
      loadEmailConfig({ ACCEPT_URL: 'https://app.example.com/accept', SES_FROM_ADDRESS: 'Acme <invite@acme.example>' }),
    ).toEqual({
      ACCEPT_URL: 'https://app.example.com/accept',
      SES_FROM_ADDRESS: 'Acme <invite@acme.example>',
      SES_SEND_TIMEOUT_MS: 5000,
    });
    expect(
      loadEmailConfig({
        ACCEPT_URL: 'http://localhost:3000/accept',
        SES_FROM_ADDRESS: 'invite@example.com',
        SES_CONFIGURATION_SET: 'invitations',
        SES_ENDPOINT: 'http://127.0.0.1:8005',
      }),
    ).toMatchObject({ SES_CONFIGURATION_SET: 'invitations', SES_ENDPOINT: 'http://127.0.0.1:8005' });
  });

  it('names each missing or malformed variable', () => {
    expect(() => loadEmailConfig({})).toThrow(
      'Invalid email configuration: ACCEPT_URL: must be an http(s) URL; SES_FROM_ADDRESS: is required',
    );
    expect(() => loadEmailConfig({ ACCEPT_URL: 'javascript:alert(1)', SES_FROM_ADDRESS: 'a@b.c' })).toThrow(
      /ACCEPT_URL: must be an http\(s\) URL/,
    );
    expect(() => loadEmailConfig({ ACCEPT_URL: 'https://x.example', SES_FROM_ADDRESS: 'nobody' })).toThrow(
      /SES_FROM_ADDRESS: must be an email address/,
    );
    expect(() =>
      loadEmailConfig({
        ACCEPT_URL: 'https://x.example',
        SES_FROM_ADDRESS: 'a@b.example',
        SES_CONFIGURATION_SET: 'a b',
      }),
    ).toThrow(/SES_CONFIGURATION_SET: must be a configuration set name/);
  });
});
