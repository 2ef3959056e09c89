import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_EVENT_SOURCE } from '../functions/stream/event-source';
import { invitationEmailFilterPatterns } from '../functions/stream/filters';
import { EMAIL_SENDER_HANDLER } from './bundling/options';
import type { InvitationsTable } from './invitations-table';
import { ServiceFunction } from './service-function';

export interface InvitationEmailProps {
  readonly table: InvitationsTable;
  readonly senderEmail: string;
  readonly senderName?: string;
  readonly senderDomain?: string;
  readonly acceptUrl: string;
  readonly logRetention: logs.RetentionDays;
  readonly tokenKey: secretsmanager.ISecret;
  /** TABLE_NAME and CURSOR_SECRET: the sender loads the same configuration module as the API. */
  readonly environment: Record<string, string>;
}

/**
 * Invitation email delivery: the SES identity and configuration set, and the stream function
 * (which rebuilds links with the link-token key) fed by a filtered event-source mapping whose
 * failures end in an encrypted queue.
 */
export class InvitationEmail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly sender: ServiceFunction;
  readonly failures: sqs.Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: InvitationEmailProps) {
    super(scope, id);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // No open or click tracking: tracking rewrites links through SES's redirect domain, and the
      // links carry the invitation token.
      vdmOptions: { engagementMetrics: false },
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: props.senderDomain ? ses.Identity.domain(props.senderDomain) : ses.Identity.email(props.senderEmail),
      configurationSet: this.configurationSet,
      // Easy DKIM with 2048-bit keys for a domain; mail from a single verified address is signed by SES's domain.
      ...(props.senderDomain
        ? { dkimSigning: true, dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT) }
        : {}),
    });

    this.failures = new sqs.Queue(this, 'DeliveryFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the stream mapping; a message here is the end of the ' +
        'line, raises an alarm and is handled by an operator, so a queue behind it would add nothing.',
    });

    this.sender = new ServiceFunction(this, 'Sender', {
      handler: EMAIL_SENDER_HANDLER,
      profile: 'stream',
      description: 'Sends invitation emails for new and resent invitations, from the table stream',
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        ACCEPT_URL: props.acceptUrl,
        SES_FROM_ADDRESS: props.senderName ? `${props.senderName} <${props.senderEmail}>` : props.senderEmail,
        SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
        TOKEN_KEY_SECRET_ARN: props.tokenKey.secretArn,
      },
    });
    props.table.grant(this.sender, 'delivery');
    props.tokenKey.grantRead(this.sender);
    this.sender.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': props.senderEmail } },
      }),
    );

    Validations.of(this.sender.role as iam.IRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the stream event-source mapping needs, supports no resource narrower than *; ' +
        'every other action of this role names the table, its stream, its indexes or the secret.',
    });

    // TRIM_HORIZON, not LATEST: an invitation written between the stream's creation and the
    // mapping's would otherwise never be emailed. Replays are harmless, sending is idempotent.
    this.eventSource = new DynamoEventSource(props.table.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: EMAIL_EVENT_SOURCE.batchSize,
      bisectBatchOnError: EMAIL_EVENT_SOURCE.bisectBatchOnError,
      retryAttempts: EMAIL_EVENT_SOURCE.retryAttempts,
      maxRecordAge: Duration.seconds(EMAIL_EVENT_SOURCE.maxRecordAgeSeconds),
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.failures),
      filters: invitationEmailFilterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
    });
    this.sender.addEventSource(this.eventSource);
  }
}
