import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { DEFAULT_EMAILS_PER_USER_PER_DAY } from '../functions/domain/delivery';
import { DEFAULT_WORKSPACE_LIMITS, type WorkspaceLimits } from '../functions/domain/workspace';
import { DEFAULT_EVENT_SOURCE } from '../functions/events/config';

/**
 * What an operator decides at deploy time, as CDK context (`-c name=value`, or the `context`
 * block of cdk.json). Everything is checked here, before any resource exists, so that a typo
 * fails the synth with a message that names the parameter.
 */
export interface DeploymentParameters {
  /** The From address of invitation emails. */
  readonly senderEmail: string;
  /** Display name in the From header. */
  readonly senderName?: string;
  /** Verify this whole domain with Easy DKIM instead of the single sender address. */
  readonly senderDomain?: string;
  /** The page invitees land on: links are `<acceptUrl>?token=<token>`. */
  readonly acceptUrl: string;
  /** An external identity provider; when absent the stack creates a Cognito user pool. */
  readonly jwt?: { readonly issuer: string; readonly audience: string[] };
  /** Browser origins allowed to call the API; none means no CORS headers at all. */
  readonly corsOrigins: string[];
  /** Receives alarm notifications. */
  readonly alarmEmail?: string;
  /** The created Cognito pool's sign-in: where it may return people to, after signing in and out. */
  readonly signIn: { readonly callbackUrls: string[]; readonly logoutUrls: string[]; readonly domainPrefix?: string };
  /**
   * Requests per second, and the burst above them, per route of each class: the routes that need
   * a signed-in caller, and the public ones (the link preview and the OpenAPI document), which
   * anyone can call and so get a lower limit of their own.
   */
  readonly throttle: {
    readonly authenticated: { readonly rateLimit: number; readonly burstLimit: number };
    readonly public: { readonly rateLimit: number; readonly burstLimit: number };
  };
  /** Invitation emails (new invitations and resends) one person may ask for per UTC day. */
  readonly invitationEmailsPerUserPerDay: number;
  /** Workspaces per person, members and pending invitations per workspace, renames per workspace per minute. */
  readonly limits: WorkspaceLimits;
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the domain events go: a bus the operator passes in by ARN (`eventBusArn`), or one the
   * stack creates; `eventSource` names them (default `invitations`).
   */
  readonly events: {
    readonly busArn?: string;
    readonly source: string;
    /** Every event, POSTed to the operator's HTTPS endpoint, with the secret (a Secrets Manager secret) as a header. */
    readonly webhook?: { readonly url: string; readonly secretArn: string };
  };
  /** A table created before the list indexes changed: the step (1–5) of its upgrade (README, "Upgrading"). */
  readonly indexUpgradeStep?: number;
}

export const PARAMETER_NAMES = [
  'senderEmail',
  'senderName',
  'senderDomain',
  'acceptUrl',
  'jwtIssuer',
  'jwtAudience',
  'corsOrigins',
  'alarmEmail',
  'authCallbackUrls',
  'authLogoutUrls',
  'authDomainPrefix',
  'throttleRateLimit',
  'throttleBurstLimit',
  'publicThrottleRateLimit',
  'publicThrottleBurstLimit',
  'invitationEmailsPerUserPerDay',
  'workspacesPerUser',
  'membersPerWorkspace',
  'pendingInvitationsPerWorkspace',
  'workspaceRenamesPerMinute',
  'logRetentionDays',
  'eventBusArn',
  'eventSource',
  'webhookUrl',
  'webhookSecretArn',
  'indexUpgradeStep',
] as const;

export type RawParameters = Partial<Record<(typeof PARAMETER_NAMES)[number], unknown>>;

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function readParameters(node: Node): DeploymentParameters {
  const raw: RawParameters = {};
  for (const name of PARAMETER_NAMES) raw[name] = node.tryGetContext(name);
  return parseParameters(raw);
}

export function parseParameters(raw: RawParameters): DeploymentParameters {
  const problems: string[] = [];
  const text = (name: keyof RawParameters): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
    problems.push(`${name} must be a string`);
    return undefined;
  };
  const list = (name: keyof RawParameters): string[] => {
    const value = raw[name];
    if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter(Boolean);
    return (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  };
  const integer = (name: keyof RawParameters, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  };
  const url = (name: keyof RawParameters, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
      return value;
    } catch {
      problems.push(`${name} must be an http(s) URL`);
      return undefined;
    }
  };

  const senderEmail = text('senderEmail')?.toLowerCase();
  if (!senderEmail) problems.push('senderEmail is required: the verified address invitation emails come from');
  else if (!EMAIL.test(senderEmail)) problems.push('senderEmail must be an email address');

  const senderDomain = text('senderDomain')?.toLowerCase();
  if (senderDomain !== undefined && !DOMAIN.test(senderDomain)) problems.push('senderDomain must be a domain name');
  if (senderDomain && senderEmail && !senderEmail.endsWith(`@${senderDomain}`)) {
    problems.push('senderEmail must be an address at senderDomain');
  }

  const senderName = text('senderName');
  if (senderName !== undefined && /[<>"\r\n]/.test(senderName)) {
    problems.push('senderName must not contain < > " or line breaks');
  }

  const acceptUrl = url('acceptUrl', text('acceptUrl'));
  if (!text('acceptUrl')) problems.push('acceptUrl is required: the page invitees open from the email link');

  const issuer = url('jwtIssuer', text('jwtIssuer'));
  const audience = list('jwtAudience');
  if (text('jwtIssuer') !== undefined && audience.length === 0) problems.push('jwtAudience is required with jwtIssuer');
  if (audience.length > 0 && text('jwtIssuer') === undefined) problems.push('jwtIssuer is required with jwtAudience');
  if (issuer && !issuer.startsWith('https://')) problems.push('jwtIssuer must be an https URL');

  const corsOrigins = list('corsOrigins');
  for (const origin of corsOrigins) {
    if (origin === '*') problems.push('corsOrigins must name origins; * would let any site call the API with a token');
    else if (url('corsOrigins', origin) && new URL(origin).origin !== origin) {
      problems.push(`corsOrigins entry ${origin} must be an origin (scheme://host[:port]) without a path`);
    }
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) problems.push('alarmEmail must be an email address');

  // Sign-in return addresses: https, or http only to this machine (Cognito's own rule).
  const signInUrls = (name: 'authCallbackUrls' | 'authLogoutUrls', fallback: string[]): string[] => {
    const given = list(name);
    for (const entry of given) {
      const parsed = url(name, entry) && new URL(entry);
      if (parsed && parsed.protocol !== 'https:' && parsed.hostname !== 'localhost') {
        problems.push(`${name} entry ${entry} must be https (http only for localhost)`);
      }
    }
    return given.length > 0 ? given : fallback;
  };
  const acceptPage = acceptUrl ? [acceptUrl] : [];
  const callbackUrls = signInUrls('authCallbackUrls', acceptPage);
  const logoutUrls = signInUrls('authLogoutUrls', acceptUrl ? [`${new URL(acceptUrl).origin}/`] : []);
  const domainPrefix = text('authDomainPrefix')?.toLowerCase();
  if (
    domainPrefix !== undefined &&
    !/^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix)
  ) {
    problems.push('authDomainPrefix must be lower-case letters, digits and hyphens, without aws, amazon or cognito');
  }

  const rateLimit = integer('throttleRateLimit', 50, 1, 10_000);
  const burstLimit = integer('throttleBurstLimit', 100, 1, 5_000);
  const publicRateLimit = integer('publicThrottleRateLimit', 10, 1, 10_000);
  const publicBurstLimit = integer('publicThrottleBurstLimit', 20, 1, 5_000);
  const invitationEmailsPerUserPerDay = integer(
    'invitationEmailsPerUserPerDay',
    DEFAULT_EMAILS_PER_USER_PER_DAY,
    1,
    1_000_000,
  );

  const limits: WorkspaceLimits = {
    workspacesPerUser: integer('workspacesPerUser', DEFAULT_WORKSPACE_LIMITS.workspacesPerUser, 1, 100_000),
    membersPerWorkspace: integer('membersPerWorkspace', DEFAULT_WORKSPACE_LIMITS.membersPerWorkspace, 1, 1_000_000),
    pendingInvitationsPerWorkspace: integer(
      'pendingInvitationsPerWorkspace',
      DEFAULT_WORKSPACE_LIMITS.pendingInvitationsPerWorkspace,
      1,
      1_000_000,
    ),
    workspaceRenamesPerMinute: integer(
      'workspaceRenamesPerMinute',
      DEFAULT_WORKSPACE_LIMITS.workspaceRenamesPerMinute,
      1,
      60,
    ),
  };

  const retentionDays = integer('logRetentionDays', 30, 1, 3653);
  const logRetention = Object.values(logs.RetentionDays).includes(retentionDays as logs.RetentionDays)
    ? (retentionDays as logs.RetentionDays)
    : undefined;
  if (logRetention === undefined)
    problems.push('logRetentionDays must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, …)');

  const eventBusArn = text('eventBusArn');
  if (
    eventBusArn !== undefined &&
    !/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.\-/]+$/.test(eventBusArn)
  ) {
    problems.push('eventBusArn must be the ARN of an EventBridge event bus');
  }
  const eventSource = text('eventSource') ?? DEFAULT_EVENT_SOURCE;
  if (!/^[\w.\-/]{1,256}$/.test(eventSource) || eventSource.startsWith('aws.')) {
    problems.push('eventSource must be 1 to 256 letters, digits, . - _ or /, and must not start with aws.');
  }
  const webhookUrl = text('webhookUrl');
  const webhookSecretArn = text('webhookSecretArn');
  if (webhookUrl !== undefined && !(url('webhookUrl', webhookUrl) && webhookUrl.startsWith('https://'))) {
    problems.push('webhookUrl must be an https URL');
  }
  if ((webhookUrl === undefined) !== (webhookSecretArn === undefined)) {
    problems.push('webhookUrl and webhookSecretArn go together: the endpoint, and the secret it is sent');
  }
  if (
    webhookSecretArn !== undefined &&
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(webhookSecretArn)
  ) {
    problems.push('webhookSecretArn must be the ARN of a Secrets Manager secret');
  }

  const indexUpgradeStep = text('indexUpgradeStep') === undefined ? undefined : integer('indexUpgradeStep', 1, 1, 5);

  if (problems.length > 0) {
    throw new Error(`Invalid deployment parameters:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    senderEmail: senderEmail as string,
    senderName,
    senderDomain,
    acceptUrl: acceptUrl as string,
    jwt: issuer ? { issuer, audience } : undefined,
    corsOrigins,
    alarmEmail,
    signIn: { callbackUrls, logoutUrls, domainPrefix },
    throttle: {
      authenticated: { rateLimit, burstLimit },
      public: { rateLimit: publicRateLimit, burstLimit: publicBurstLimit },
    },
    invitationEmailsPerUserPerDay,
    limits,
    logRetention: logRetention as logs.RetentionDays,
    events: {
      busArn: eventBusArn,
      source: eventSource,
      webhook: webhookUrl && webhookSecretArn ? { url: webhookUrl, secretArn: webhookSecretArn } : undefined,
    },
    indexUpgradeStep,
  };
}
