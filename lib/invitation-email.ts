import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_SENDER } from '../functions/consumers';
import { DEFAULT_SEND_TIMEOUT_MS } from '../functions/domain/delivery';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';
import { subscribeToTableStream } from './table-stream-subscription';

export interface InvitationEmailProps {
  /** The table and keys; the function gets what its consumer entry declares (functions/consumers.ts). */
  readonly resources: ServiceResources;
  readonly senderEmail: string;
  readonly senderName?: string;
  readonly senderDomain?: string;
  readonly acceptUrl: string;
  readonly logRetention: logs.RetentionDays;
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

    this.sender = new ServiceFunction(this, 'Sender', {
      handler: EMAIL_SENDER.handler,
      profile: EMAIL_SENDER.profile,
      description: EMAIL_SENDER.description,
      logRetention: props.logRetention,
      environment: {
        ...props.resources.environmentFor(EMAIL_SENDER),
        ACCEPT_URL: props.acceptUrl,
        SES_FROM_ADDRESS: props.senderName ? `${props.senderName} <${props.senderEmail}>` : props.senderEmail,
        SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
        SES_SEND_TIMEOUT_MS: String(DEFAULT_SEND_TIMEOUT_MS),
      },
    });
    props.resources.grant(this.sender, EMAIL_SENDER);
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

    const subscription = subscribeToTableStream(this, {
      table: props.resources.table,
      consumer: this.sender,
      entry: EMAIL_SENDER,
    });
    this.failures = subscription.failures;
    this.eventSource = subscription.eventSource;
  }
}
