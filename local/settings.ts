/** The local runner's configuration, from the environment, with the documented defaults. */
import { isAbsolute, resolve } from 'node:path';
import { EMAIL_SWEEP, EXPIRY_SWEEP } from '../functions/consumers';
import { DEFAULT_EVENT_SOURCE } from '../functions/events/config';
import { type FaultSettings, faultSettingsFrom } from './ses-faults';

export interface LocalSettings {
  /** The API gateway, also serving /docs and the JWKS. */
  port: number;
  dynamoPort: number;
  sesPort: number;
  /** The SES fault layer in front of the emulator (see local/ses-faults.ts), and its control API. */
  sesFaultsPort: number;
  /** SES_ENDPOINT: where the email sender sends instead of the local fault layer and emulator. */
  sesEndpoint?: string;
  /** The fault layer's settings at start (SES_FAULTS, SES_SANDBOX, SES_VERIFIED_RECIPIENTS). */
  sesFaults: Partial<FaultSettings>;
  /** How often the email sweep runs (EMAIL_SWEEP_INTERVAL_SECONDS), as the schedule does in AWS. */
  sweepIntervalMs: number;
  /** How often the expiry sweep runs (EXPIRY_SWEEP_INTERVAL_SECONDS). */
  expirySweepIntervalMs: number;
  /** EVENT_SOURCE: the source of the published events. */
  eventSource: string;
  /** EVENTS_WEBHOOK_URL and EVENTS_WEBHOOK_SECRET: where every event is POSTed, and the secret header's value. */
  webhook?: { url: string; secret?: string };
  /** Absolute path of the data directory (DynamoDB files, keys, stream position, dead letters). */
  dataDir: string;
  /** The page invitation links open (`<acceptUrl>?token=<token>`); by default the gateway's own. */
  acceptUrl: string;
  tableName: string;
  /** When set, tokens are trusted from this issuer instead of the local identity. */
  external?: { issuer: string; audience: string; jwksUrl: string };
  /** Address the emails come from. */
  fromAddress: string;
  /** Browser origins allowed to call the API (CORS); none by default, like the deployed API. */
  corsOrigins: string[];
  /** One console line per request (REQUEST_LOG, on unless `off`). */
  requestLog: boolean;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalSettings {
  const port = portFrom(env, 'PORT', 3000);
  const dataDir = env.LOCAL_DATA_DIR?.trim() || '.local';
  const issuer = env.JWT_ISSUER?.trim();
  let external: LocalSettings['external'];
  if (issuer) {
    const audience = env.JWT_AUDIENCE?.trim();
    if (!audience) throw new Error('JWT_AUDIENCE must be set together with JWT_ISSUER.');
    external = {
      issuer,
      audience,
      jwksUrl: env.JWKS_URL?.trim() || `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
    };
  }
  return {
    port,
    dynamoPort: portFrom(env, 'DYNAMODB_PORT', 8000),
    sesPort: portFrom(env, 'SES_PORT', 8005),
    sesFaultsPort: portFrom(env, 'SES_FAULTS_PORT', 8006),
    ...(env.SES_ENDPOINT?.trim() ? { sesEndpoint: urlFrom(env, 'SES_ENDPOINT') } : {}),
    sesFaults: faultSettingsFrom(env),
    sweepIntervalMs: secondsFrom(env, 'EMAIL_SWEEP_INTERVAL_SECONDS', EMAIL_SWEEP.rateSeconds) * 1000,
    expirySweepIntervalMs: secondsFrom(env, 'EXPIRY_SWEEP_INTERVAL_SECONDS', EXPIRY_SWEEP.rateSeconds) * 1000,
    eventSource: env.EVENT_SOURCE?.trim() || DEFAULT_EVENT_SOURCE,
    ...(env.EVENTS_WEBHOOK_URL?.trim()
      ? {
          webhook: {
            url: urlFrom(env, 'EVENTS_WEBHOOK_URL'),
            ...(env.EVENTS_WEBHOOK_SECRET ? { secret: env.EVENTS_WEBHOOK_SECRET } : {}),
          },
        }
      : {}),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    acceptUrl: env.ACCEPT_URL?.trim() || `http://localhost:${port}/accept`,
    tableName: env.TABLE_NAME?.trim() || 'invitations-local',
    external,
    fromAddress: env.SES_FROM_ADDRESS?.trim() || 'invitations@example.com',
    requestLog: !/^(off|false|0)$/i.test(env.REQUEST_LOG?.trim() ?? ''),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  };
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number (0–65535), got "${raw}".`);
  }
  return port;
}

function urlFrom(env: NodeJS.ProcessEnv, name: string): string {
  const raw = env[name]?.trim() as string;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new Error(`${name} must be an http(s) URL, got "${raw}".`);
  }
  return raw.replace(/\/+$/, '');
}

function secondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const seconds = Number(raw);
  if (!(seconds > 0 && seconds <= 3600)) throw new Error(`${name} must be a number of seconds (0–3600], got "${raw}".`);
  return seconds;
}
