import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { EXPIRY_SWEEP } from '../functions/consumers';
import { type Route, routes } from '../functions/routes';
import { EmailFeedback } from './email-feedback';
import { EmailSweep } from './email-sweep';
import { ServiceResources } from './function-needs';
import { Identity } from './identity';
import { InvitationEmail } from './invitation-email';
import { InvitationsApi } from './invitations-api';
import { InvitationsTable } from './invitations-table';
import { Monitoring } from './monitoring';
import type { DeploymentParameters } from './parameters';
import { ServiceAlarms } from './service-alarms';
import { ServiceDashboard } from './service-dashboard';
import { ServiceEvents } from './service-events';
import { ServiceSecrets } from './service-secrets';

export interface InvitationsStackProps extends StackProps {
  readonly parameters: DeploymentParameters;
  /** Routes to serve; the shared route table unless a test narrows it. */
  readonly routes?: readonly Route[];
}

/**
 * The whole service in one stack: table, API, email delivery and its bounce and complaint
 * feedback, workspace name sync, identity fallback, alarms.
 */
export class InvitationsStack extends Stack {
  readonly table: InvitationsTable;
  readonly secrets: ServiceSecrets;
  readonly identity: Identity;
  readonly api: InvitationsApi;
  readonly email: InvitationEmail;
  readonly feedback: EmailFeedback;
  readonly sweep: EmailSweep;
  readonly bus: events.IEventBus;
  readonly events: ServiceEvents;
  readonly expirySweep: EmailSweep;
  readonly monitoring: Monitoring;
  readonly serviceAlarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;

  constructor(scope: Construct, id: string, props: InvitationsStackProps) {
    super(scope, id, props);
    const { parameters } = props;
    // Every resource says which service it belongs to (cost reports, tag-based access policies).
    // Not the dashboard: cfn-lint's schema (1.51) does not know AWS::CloudWatch::Dashboard's Tags
    // yet and calls them an error, and a dashboard is found by its name anyway.
    Tags.of(this).add('service', 'invitations', { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });

    this.table = new InvitationsTable(this, 'Data');
    this.secrets = new ServiceSecrets(this, 'Secrets');
    this.identity = new Identity(this, 'Identity', { jwt: parameters.jwt, signIn: parameters.signIn });
    this.bus = parameters.events.busArn
      ? events.EventBus.fromEventBusArn(this, 'Bus', parameters.events.busArn)
      : new events.EventBus(this, 'Bus', { description: 'The domain events of the invitations service' });
    const resources = new ServiceResources(
      this.table,
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

    this.sweep = new EmailSweep(this, 'Sweep', {
      resources,
      logRetention: parameters.logRetention,
    });

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
        {
          label: 'The email feedback recorder',
          function: this.feedback.handler,
          failureQueue: this.feedback.failures,
        },
        {
          label: 'The email sweep',
          function: this.sweep.handler,
          failureQueue: this.sweep.failures,
        },
        {
          label: 'The workspace name sync',
          function: this.events.nameSync,
          failureQueue: this.events.nameSyncFailures,
        },
        {
          label: 'The expiry sweep',
          function: this.expirySweep.handler,
          failureQueue: this.expirySweep.failures,
        },
      ],
      stage: this.api.stage,
      alarmEmail: parameters.alarmEmail,
    });

    this.serviceAlarms = new ServiceAlarms(this, 'ServiceAlarms', {
      topic: this.monitoring.topic,
      table: this.table,
      accessLogs: this.api.accessLogs,
      routes: props.routes ?? routes,
    });
    this.dashboard = new ServiceDashboard(this, 'Operations', {
      alarms: this.serviceAlarms,
      table: this.table,
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

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; routes live under /api (the OpenAPI document: <ApiUrl>api/openapi.json)',
      value: this.api.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'The DynamoDB table, for backups, exports and the AWS console',
      value: this.table.table.tableName,
    });
    new CfnOutput(this, 'JwtIssuer', { description: 'The issuer the API trusts', value: this.identity.issuer });
    if (this.identity.userPool && this.identity.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', {
        description: 'The Cognito user pool people sign up and sign in with',
        value: this.identity.userPool.userPoolId,
      });
      new CfnOutput(this, 'UserPoolClientId', {
        description: 'The app client a front end signs in with; its ID tokens are the bearer tokens the API accepts',
        value: this.identity.userPoolClient.userPoolClientId,
      });
    }
    if (this.identity.domain) {
      new CfnOutput(this, 'SignInUrl', {
        description:
          'The sign-in pages of the Cognito pool: a front end starts the authorization-code flow (with PKCE) at <SignInUrl>/oauth2/authorize',
        value: this.identity.domain.baseUrl(),
      });
    }
    new CfnOutput(this, 'DashboardName', {
      description: 'The CloudWatch dashboard of the API, the table and the email pipeline',
      value: this.dashboard.dashboard.dashboardName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe here (email, chat, paging) to hear about alarms',
      value: this.monitoring.topic.topicArn,
    });
    new CfnOutput(this, 'LinkTokenKeyArn', {
      description: 'The link-token key ring: rotate it with npm run rotate-link-key -- --secret-id <this ARN>',
      value: this.secrets.linkTokenKey.secretArn,
    });
    new CfnOutput(this, 'DeliveryFailuresQueueUrl', {
      description: 'Stream batches the email sender gave up on: look here when the DeliveryFailures alarm fires',
      value: this.email.failures.queueUrl,
    });
    new CfnOutput(this, 'RenameFailuresQueueUrl', {
      description: 'Events the workspace name sync gave up on: look here when the RenameFailures alarm fires',
      value: this.events.nameSyncFailures.queueUrl,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'The bus the domain events are published on (source: the eventSource parameter)',
      value: this.bus.eventBusName,
    });
    new CfnOutput(this, 'EventFailuresQueueUrl', {
      description: 'Stream batches the event publisher gave up on: look here when the EventFailures alarm fires',
      value: this.events.publishFailures.queueUrl,
    });
    new CfnOutput(this, 'EmailSweepFunctionName', {
      description:
        'Re-drive held and failed invitation emails: aws lambda invoke --function-name <this> ' +
        '--cli-binary-format raw-in-base64-out --payload \'{"redrive":["HELD","FAILED"]}\' /dev/stdout',
      value: this.sweep.handler.functionName,
    });
    new CfnOutput(this, 'FeedbackFailuresQueueUrl', {
      description:
        'SES bounce and complaint events that could not be recorded: look here when the FeedbackFailures alarm fires',
      value: this.feedback.failures.queueUrl,
    });
    if (parameters.senderDomain) {
      this.email.identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `DkimRecord${index + 1}`, {
          description: `DKIM CNAME ${index + 1} of 3 to publish in the DNS of ${parameters.senderDomain}`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    }
  }
}
