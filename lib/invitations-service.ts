import { type RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EXPIRY_SWEEP } from '../functions/consumers';
import type { WorkspaceLimits } from '../functions/domain/workspace';
import { type Route, routes } from '../functions/routes';
import { EmailFeedback } from './email-feedback';
import { EmailSweep } from './email-sweep';
import { ServiceResources } from './function-needs';
import { Identity } from './identity';
import { InvitationEmail } from './invitation-email';
import { InvitationsApi } from './invitations-api';
import { InvitationsTable } from './invitations-table';
import { Monitoring } from './monitoring';
import { type DeploymentParameters, parseParameters, type RawParameters } from './parameters';
import { ServiceAlarms } from './service-alarms';
import { ServiceDashboard } from './service-dashboard';
import { ServiceEvents } from './service-events';
import { ServiceSecrets } from './service-secrets';

/** Whose JWTs the API accepts. */
export type InvitationsIdentity =
  /** A Cognito user pool of your own: ID tokens issued to any of these app clients. */
  | { readonly userPool: cognito.IUserPool; readonly clients: readonly cognito.IUserPoolClient[] }
  /** Any OIDC issuer (Auth0, Entra ID, Okta, …): `iss` must equal `issuer` (https), `aud` contain one of `audience`. */
  | { readonly issuer: string; readonly audience: readonly string[] };

export interface RequestThrottle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests above the rate allowed in a burst. */
  readonly burstLimit: number;
}

/** A custom domain for the API: a new one with its certificate, or an API Gateway domain name you already have. */
export type InvitationsDomain =
  | { readonly domainName: string; readonly certificate: acm.ICertificate }
  | { readonly domain: apigw.IDomainName };

export interface InvitationsServiceProps {
  /** Who invitation emails come from: a verified address, or an address at a domain verified with Easy DKIM. */
  readonly sender: {
    /** The From address. */
    readonly email: string;
    /** Display name in the From header. */
    readonly name?: string;
    /** Verify this whole domain with Easy DKIM (the DKIM records to publish are on `email.identity`) instead of the address alone. */
    readonly domain?: string;
  };
  /** The page invitees land on: links are `<acceptUrl>?token=<token>`. */
  readonly acceptUrl: string;
  /**
   * Whose tokens the API trusts. Default: a Cognito user pool created for the service (self sign-up,
   * verified email, required TOTP MFA, deletion protection), available as `identity.userPool`.
   */
  readonly identity?: InvitationsIdentity;
  /** Only for the created pool: where its sign-in may return people to. Default: the accept page, and its origin after signing out. */
  readonly signIn?: {
    readonly callbackUrls?: string[];
    readonly logoutUrls?: string[];
    readonly domainPrefix?: string;
  };
  /**
   * Browser origins allowed to call the API. Default: none, and no CORS headers at all, so that
   * only server-side callers and same-origin pages can. Each origin widens who can make a
   * signed-in browser call; `*` is refused.
   */
  readonly corsOrigins?: string[];
  /** Per route: signed-in routes default to 50/s with bursts of 100, public routes (link preview, OpenAPI) to 10/s and 20. */
  readonly throttle?: { readonly authenticated?: RequestThrottle; readonly public?: RequestThrottle };
  /** The bus the service's own events go to. Default: a bus created for the service (see `bus`). */
  readonly eventBus?: events.IEventBus;
  /** The `source` of every event the service publishes. Default `invitations`. */
  readonly eventSource?: string;
  /**
   * Every event also POSTed to your HTTPS endpoint through an EventBridge API destination, with
   * the secret (a Secrets Manager secret holding the header's value) sent as a header; retried for
   * 24 hours, then kept in a dead-letter queue. Default: no webhook.
   */
  readonly webhook?: { readonly url: string; readonly secretArn: string };
  /**
   * What happens to the table when it leaves the stack. Default RETAIN, with deletion protection.
   * DESTROY weakens that: removing the construct or the stack deletes every workspace,
   * membership and invitation, and turns deletion protection off. Meant for test environments.
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Only for a table created before the list indexes changed (byUser, byEmail and byWorkspace
   * replaced GSI1–3): the step of its upgrade, 1 to 5, one deployment each, then none. See the
   * README's "Upgrading". Default: the indexes as they are now.
   */
  readonly tableIndexUpgradeStep?: number;
  /** Serve the API on this domain; `url` is then `https://<domain>/`. Point your DNS at `domain`'s regional name. */
  readonly domain?: InvitationsDomain;
  /** Receives alarm notifications; subscribe further endpoints to `alarmTopic`. */
  readonly alarmEmail?: string;
  /** Invitation emails (new invitations and resends) one person may ask for per UTC day. Default 1000. */
  readonly invitationEmailsPerUserPerDay?: number;
  /** Abuse limits; each defaults as in the README's table. */
  readonly limits?: Partial<WorkspaceLimits>;
  /** Retention of every log group. Default 30 days. */
  readonly logRetention?: logs.RetentionDays;
  /** Routes to serve; the whole route table unless a test narrows it. */
  readonly routes?: readonly Route[];
}

/**
 * The invitations service as one construct, for embedding into a CDK app beside your own
 * resources: the table, the HTTP API with one function per operation, email delivery with its
 * bounce and complaint feedback, the workspace name sync, the email sweep, alarms and a dashboard.
 */
export class InvitationsService extends Construct {
  /** The API's base URL, ending in `/`; routes live under `api/`. */
  readonly url: string;
  readonly httpApi: apigw.HttpApi;
  readonly table: dynamodb.Table;
  /**
   * Where the service's own events go: `eventBus` when given, else a bus of its own. The service
   * publishes nothing on it yet; it is there so that consumers wire their rules to it now, and a
   * publisher is granted PutEvents on this bus alone rather than on the account's default bus,
   * which every AWS service writes to. The created bus has no resource policy: only principals of
   * this account that IAM allows can put events on it.
   */
  readonly bus: events.IEventBus;
  /** Every alarm of the service notifies this topic (KMS-encrypted, TLS only). */
  readonly alarmTopic: sns.ITopic;
  /** The custom domain, when one was asked for. */
  readonly domain?: apigw.IDomainName;

  /** The building blocks, for wiring beyond the outputs above. */
  readonly data: InvitationsTable;
  readonly secrets: ServiceSecrets;
  readonly identity: Identity;
  readonly api: InvitationsApi;
  readonly email: InvitationEmail;
  readonly feedback: EmailFeedback;
  readonly sweep: EmailSweep;
  readonly events: ServiceEvents;
  readonly expirySweep: EmailSweep;
  readonly monitoring: Monitoring;
  readonly serviceAlarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;

  constructor(scope: Construct, id: string, props: InvitationsServiceProps) {
    super(scope, id);
    const parameters = parametersOf(props);
    // Every resource says which service it belongs to (cost reports, tag-based access policies).
    // Not the dashboard: cfn-lint's schema (1.51) does not know AWS::CloudWatch::Dashboard's Tags
    // yet and calls them an error, and a dashboard is found by its name anyway.
    Tags.of(this).add('service', 'invitations', { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });

    this.data = new InvitationsTable(this, 'Data', {
      removalPolicy: props.tableRemovalPolicy,
      indexUpgradeStep: parameters.indexUpgradeStep,
    });
    this.table = this.data.table;
    this.secrets = new ServiceSecrets(this, 'Secrets');
    const identity = props.identity;
    this.identity = new Identity(this, 'Identity', {
      jwt: identity && 'issuer' in identity ? parameters.jwt : undefined,
      userPool: identity && 'userPool' in identity ? { pool: identity.userPool, clients: identity.clients } : undefined,
      signIn: parameters.signIn,
    });
    this.bus =
      props.eventBus ??
      new events.EventBus(this, 'Bus', { description: 'The domain events of the invitations service' });
    const resources = new ServiceResources(
      this.data,
      this.secrets,
      { invitationEmailsPerUserPerDay: parameters.invitationEmailsPerUserPerDay, ...parameters.limits },
      { bus: this.bus, source: parameters.events.source },
    );

    this.api = new InvitationsApi(this, 'Api', {
      resources,
      jwtIssuer: this.identity.issuer,
      jwtAudience: this.identity.audience,
      corsOrigins: parameters.corsOrigins,
      throttle: parameters.throttle,
      logRetention: parameters.logRetention,
      routes: props.routes,
    });
    this.httpApi = this.api.httpApi;
    this.domain = props.domain && this.customDomain(props.domain);
    const domainName = props.domain && ('domainName' in props.domain ? props.domain.domainName : this.domain?.name);
    this.url = domainName ? `https://${domainName}/` : this.api.url;

    this.email = new InvitationEmail(this, 'Email', {
      resources,
      senderEmail: parameters.senderEmail,
      senderName: parameters.senderName,
      senderDomain: parameters.senderDomain,
      acceptUrl: parameters.acceptUrl,
      logRetention: parameters.logRetention,
    });
    this.feedback = new EmailFeedback(this, 'Feedback', {
      resources,
      configurationSet: this.email.configurationSet,
      logRetention: parameters.logRetention,
    });
    this.sweep = new EmailSweep(this, 'Sweep', { resources, logRetention: parameters.logRetention });
    this.events = new ServiceEvents(this, 'Events', {
      resources,
      logRetention: parameters.logRetention,
      webhook: parameters.events.webhook,
    });
    this.expirySweep = new EmailSweep(this, 'ExpirySweep', {
      resources,
      logRetention: parameters.logRetention,
      entry: EXPIRY_SWEEP,
      functionId: 'SweepExpiredInvitations',
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: this.api.functions,
      streamConsumers: [
        {
          name: 'EmailSender',
          label: 'The email sender',
          function: this.email.sender,
          failureQueue: this.email.failures,
        },
        {
          name: 'EventPublisher',
          label: 'The event publisher',
          function: this.events.publisher,
          failureQueue: this.events.publishFailures,
        },
      ],
      eventConsumers: [
        { label: 'The email feedback recorder', function: this.feedback.handler, failureQueue: this.feedback.failures },
        { label: 'The email sweep', function: this.sweep.handler, failureQueue: this.sweep.failures },
        {
          label: 'The workspace name sync',
          function: this.events.nameSync,
          failureQueue: this.events.nameSyncFailures,
        },
        { label: 'The expiry sweep', function: this.expirySweep.handler, failureQueue: this.expirySweep.failures },
      ],
      parkingQueues: this.events.webhook
        ? [{ what: 'The webhook endpoint did not take an event for 24 hours', queue: this.events.webhook.failures }]
        : [],
      stage: this.api.stage,
      alarmEmail: parameters.alarmEmail,
    });
    this.alarmTopic = this.monitoring.topic;
    this.serviceAlarms = new ServiceAlarms(this, 'ServiceAlarms', {
      topic: this.monitoring.topic,
      table: this.data,
      accessLogs: this.api.accessLogs,
      routes: props.routes ?? routes,
    });
    this.dashboard = new ServiceDashboard(this, 'Operations', {
      alarms: this.serviceAlarms,
      table: this.data,
      apiFunctions: this.api.functions,
      emailSender: this.email.sender,
      nameSync: this.events.nameSync,
      feedback: this.feedback.handler,
      failureQueues: [
        this.email.failures,
        this.events.publishFailures,
        this.events.nameSyncFailures,
        this.feedback.failures,
      ],
      configurationSetName: this.email.configurationSet.configurationSetName,
    });
  }

  /** A regional domain (TLS 1.2) mapped to the API's default stage, at the domain's root. */
  private customDomain(domain: InvitationsDomain): apigw.IDomainName {
    const name =
      'domain' in domain
        ? domain.domain
        : new apigw.DomainName(this, 'Domain', {
            domainName: domain.domainName,
            certificate: domain.certificate,
            securityPolicy: apigw.SecurityPolicy.TLS_1_2,
          });
    new apigw.ApiMapping(this, 'DomainMapping', { api: this.httpApi, domainName: name, stage: this.api.stage });
    return name;
  }
}

/**
 * The props checked by the same rules as the deployment parameters (lib/parameters.ts), so that
 * a typo fails the synth with a message naming the prop. A value only known at deploy time (a
 * token) is checked in its place by a well-formed stand-in.
 */
function parametersOf(props: InvitationsServiceProps): DeploymentParameters {
  const tokens = new Map<string, string>();
  const checked = (value: string | undefined, standIn: string): string | undefined => {
    if (value === undefined || !Token.isUnresolved(value)) return value;
    tokens.set(standIn, value);
    return standIn;
  };
  const identity = props.identity && 'issuer' in props.identity ? props.identity : undefined;
  const raw: RawParameters = {
    senderEmail: props.sender.email,
    senderName: props.sender.name,
    senderDomain: props.sender.domain,
    acceptUrl: checked(props.acceptUrl, 'https://accept-url.invalid/'),
    jwtIssuer: checked(identity?.issuer, 'https://issuer.invalid/'),
    jwtAudience: identity ? [...identity.audience] : undefined,
    corsOrigins: props.corsOrigins,
    alarmEmail: props.alarmEmail,
    authCallbackUrls: props.signIn?.callbackUrls,
    authLogoutUrls: props.signIn?.logoutUrls,
    authDomainPrefix: props.signIn?.domainPrefix,
    throttleRateLimit: props.throttle?.authenticated?.rateLimit,
    throttleBurstLimit: props.throttle?.authenticated?.burstLimit,
    publicThrottleRateLimit: props.throttle?.public?.rateLimit,
    publicThrottleBurstLimit: props.throttle?.public?.burstLimit,
    invitationEmailsPerUserPerDay: props.invitationEmailsPerUserPerDay,
    ...props.limits,
    logRetentionDays: props.logRetention,
    eventSource: props.eventSource,
    webhookUrl: props.webhook?.url,
    webhookSecretArn: checked(
      props.webhook?.secretArn,
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf',
    ),
    indexUpgradeStep: props.tableIndexUpgradeStep,
  };
  const parameters = parseParameters(raw);
  const original = (value: string) => tokens.get(value) ?? value;
  return {
    ...parameters,
    acceptUrl: original(parameters.acceptUrl),
    jwt: parameters.jwt && { issuer: original(parameters.jwt.issuer), audience: parameters.jwt.audience },
    events: {
      ...parameters.events,
      webhook: parameters.events.webhook && {
        url: parameters.events.webhook.url,
        secretArn: original(parameters.events.webhook.secretArn),
      },
    },
  };
}

/** The construct's props from the deployment parameters of `cdk deploy -c …` (bin/app.ts). */
export function servicePropsOf(parameters: DeploymentParameters): InvitationsServiceProps {
  return {
    sender: { email: parameters.senderEmail, name: parameters.senderName, domain: parameters.senderDomain },
    acceptUrl: parameters.acceptUrl,
    identity: parameters.jwt,
    signIn: parameters.signIn,
    corsOrigins: parameters.corsOrigins,
    throttle: parameters.throttle,
    alarmEmail: parameters.alarmEmail,
    invitationEmailsPerUserPerDay: parameters.invitationEmailsPerUserPerDay,
    limits: parameters.limits,
    logRetention: parameters.logRetention,
    eventSource: parameters.events.source,
    tableIndexUpgradeStep: parameters.indexUpgradeStep,
    webhook: parameters.events.webhook,
  };
}
