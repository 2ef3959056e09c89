import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { Route } from '../functions/routes';
import type { EmailFeedback } from './email-feedback';
import type { EmailSweep } from './email-sweep';
import type { Identity } from './identity';
import type { InvitationEmail } from './invitation-email';
import type { InvitationsApi } from './invitations-api';
import { InvitationsService, servicePropsOf } from './invitations-service';
import type { InvitationsTable } from './invitations-table';
import type { Monitoring } from './monitoring';
import type { DeploymentParameters } from './parameters';
import type { ServiceAlarms } from './service-alarms';
import type { ServiceDashboard } from './service-dashboard';
import type { ServiceEvents } from './service-events';
import type { ServiceSecrets } from './service-secrets';

export interface InvitationsStackProps extends StackProps {
  readonly parameters: DeploymentParameters;
  /** Routes to serve; the shared route table unless a test narrows it. */
  readonly routes?: readonly Route[];
}

/**
 * The service deployed on its own (`cdk deploy`): the InvitationsService construct, configured from
 * CDK context, and the stack outputs an operator reads.
 */
export class InvitationsStack extends Stack {
  readonly service: InvitationsService;
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
    // 'Default' is left out of logical IDs: every resource keeps the ID it had when the stack
    // built the parts itself, so that an update replaces nothing (least of all the table).
    // A bus the operator names by ARN (eventBusArn) is imported here; otherwise the service creates its own.
    const eventBus = parameters.events.busArn
      ? events.EventBus.fromEventBusArn(this, 'Bus', parameters.events.busArn)
      : undefined;
    this.service = new InvitationsService(this, 'Default', {
      ...servicePropsOf(parameters),
      eventBus,
      routes: props.routes,
    });
    ({
      data: this.table,
      secrets: this.secrets,
      identity: this.identity,
      api: this.api,
      email: this.email,
      feedback: this.feedback,
      sweep: this.sweep,
      bus: this.bus,
      events: this.events,
      expirySweep: this.expirySweep,
      monitoring: this.monitoring,
      serviceAlarms: this.serviceAlarms,
      dashboard: this.dashboard,
    } = this.service);

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; routes live under /api (the OpenAPI document: <ApiUrl>api/openapi.json)',
      value: this.service.url,
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
    new CfnOutput(this, 'EventBusName', {
      description: 'The bus the domain events are published on (source: the eventSource parameter)',
      value: this.bus.eventBusName,
    });
    new CfnOutput(this, 'EventFailuresQueueUrl', {
      description: 'Stream batches the event publisher gave up on: look here when the EventFailures alarm fires',
      value: this.events.publishFailures.queueUrl,
    });
    if (this.events.webhook) {
      new CfnOutput(this, 'WebhookFailuresQueueUrl', {
        description:
          'Events the webhook endpoint did not take for 24 hours: replay them with npm run replay-events -- --queue <this URL>',
        value: this.events.webhook.failures.queueUrl,
      });
    }
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
