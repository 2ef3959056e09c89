import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_FEEDBACK } from '../functions/consumers';
import { emailFeedbackEventPattern } from '../functions/email/feedback';
import { failureQueue, retriesOf } from './failure-queue';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';

export interface EmailFeedbackProps {
  /** The table and keys; the function gets what its consumer entry declares (functions/consumers.ts). */
  readonly resources: ServiceResources;
  /** The configuration set invitation emails are sent through: its bounces and complaints are recorded. */
  readonly configurationSet: ses.ConfigurationSet;
  readonly logRetention: logs.RetentionDays;
}

/**
 * SES's feedback on invitation emails, recorded on the invitations: the configuration set
 * publishes bounces and complaints to the default event bus (the only bus SES publishes to), a
 * rule with the shared pattern hands them to a function allowed one conditional UpdateItem on
 * the table and nothing else, and an event that could not be delivered or processed ends in an
 * encrypted, TLS-only queue.
 */
export class EmailFeedback extends Construct {
  readonly eventDestination: ses.ConfigurationSetEventDestination;
  readonly rule: events.Rule;
  readonly handler: ServiceFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: EmailFeedbackProps) {
    super(scope, id);

    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.eventDestination = props.configurationSet.addEventDestination('FeedbackToEventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.handler = new ServiceFunction(this, 'RecordEmailFeedback', {
      handler: EMAIL_FEEDBACK.handler,
      profile: EMAIL_FEEDBACK.profile,
      description: EMAIL_FEEDBACK.description,
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(EMAIL_FEEDBACK),
    });
    props.resources.grant(this.handler, EMAIL_FEEDBACK);

    this.failures = failureQueue(
      this,
      EMAIL_FEEDBACK.failureQueue,
      'the dead-letter queue of the feedback rule and the on-failure destination of the feedback function',
    );

    this.handler.configureAsyncInvoke({
      ...retriesOf(EMAIL_FEEDBACK.invocation),
      onFailure: new SqsDestination(this.failures),
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Bounces and complaints of invitation emails, published by their SES configuration set',
      eventBus: defaultBus,
      eventPattern: toEventPattern(emailFeedbackEventPattern(props.configurationSet.configurationSetName)),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.handler, {
        ...retriesOf(EMAIL_FEEDBACK.delivery),
        deadLetterQueue: this.failures,
      }),
    );
  }
}

/** The shared pattern, written with EventBridge's own keys, in the shape CDK takes. */
function toEventPattern(pattern: ReturnType<typeof emailFeedbackEventPattern>): events.EventPattern {
  const { source, 'detail-type': detailType, detail } = pattern;
  return { source, detailType, detail };
}
