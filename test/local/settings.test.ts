/** The local runner's settings for SES: an endpoint override, fault rates, the sandbox, the sweep. */
import { describe, expect, it } from 'vitest';
import { faultSettingsFrom } from '../../local/ses-faults';
import { loadSettings } from '../../local/settings';

describe('local SES settings', () => {
  it('defaults to the fault layer on 8006 with no faults, no sandbox and a sweep every minute', () => {
    const settings = loadSettings({}, '/tmp');
    expect(settings).toMatchObject({
      sesFaultsPort: 8006,
      sesFaults: { rates: {}, sandbox: { enabled: false, verified: [] } },
      sweepIntervalMs: 60_000,
    });
    expect(settings.sesEndpoint).toBeUndefined();
  });

  it('honours an SES endpoint override, fault rates, sandbox recipients and the sweep interval', () => {
    const settings = loadSettings(
      {
        SES_ENDPOINT: 'http://127.0.0.1:9999/',
        SES_FAULTS: 'throttle=0.1, hang=0.05,drop-after=0.2',
        SES_SANDBOX: 'true',
        SES_VERIFIED_RECIPIENTS: 'a@example.com, b@example.com',
        EMAIL_SWEEP_INTERVAL_SECONDS: '2',
      },
      '/tmp',
    );
    expect(settings).toMatchObject({
      sesEndpoint: 'http://127.0.0.1:9999',
      sesFaults: {
        rates: { throttle: 0.1, hang: 0.05, 'drop-after': 0.2 },
        sandbox: { enabled: true, verified: ['a@example.com', 'b@example.com'] },
      },
      sweepIntervalMs: 2_000,
    });
  });

  it.each([
    [{ SES_FAULTS: 'meteor=0.1' }, /unknown fault "meteor"/],
    [{ SES_FAULTS: 'throttle=2' }, /between 0 and 1/],
    [{ SES_FAULTS: 'throttle=0.6,hang=0.6' }, /more than 1/],
    [{ SES_SANDBOX: 'maybe' }, /SES_SANDBOX must be true or false/],
    [{ SES_ENDPOINT: 'ftp://example.com' }, /SES_ENDPOINT must be an http\(s\) URL/],
    [{ EMAIL_SWEEP_INTERVAL_SECONDS: '0' }, /EMAIL_SWEEP_INTERVAL_SECONDS/],
  ])('refuses %o with a message that names it', (env, message) => {
    expect(() => loadSettings(env, '/tmp')).toThrow(message);
  });

  it('reads the same rates whether set at start or later', () => {
    expect(faultSettingsFrom({ SES_FAULTS: 'server-error=0.3' }).rates).toEqual({ 'server-error': 0.3 });
  });
});
