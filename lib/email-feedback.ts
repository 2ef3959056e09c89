import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_FEEDBACK } from '../functions/consumers';
import { emailFeedbackEventPattern } from '../functions/email/feedback';
import { EMAIL_FEEDBACK_HANDLER } from './bundling/options';
import { failureQueue } from './failure-queue';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';

/**
 * How long and how often an SES event is retried before it is parked in the failure queue, on
 * each of its two legs.
 *
 * EventBridge → Lambda: EventBridge only retries handing the event to Lambda, which fails only
 * when the Lambda API is throttled or unavailable (a permission or missing-function error goes
 * straight to the queue). It backs off exponentially between attempts, so 20 attempts spread
 * over the hours a regional disruption may last; 6 hours, not EventBridge's default 24, because
 * a bounce recorded a day late has lost most of its use and the queue keeps it for an operator.
 *
 * Lambda → the handler: once Lambda has accepted the event, its own asynchronous retries apply.
 * The handler throws only for what passes: feedback that outran the recording of its send (the
 * sender records a send as soon as SES accepts it) or a DynamoDB failure. Lambda's maximum of 2
 * retries, one and then two minutes apart, covers both. Events wait in Lambda's queue only while
 * the function is throttled; 6 hours is Lambda's maximum and matches the leg before.
 */
export const FEEDBACK_RETRIES = {
  delivery: { retryAttempts: 20, maxEventAge: Duration.hours(6) },
  invocation: { retryAttempts: 2, maxEventAge: Duration.hours(6) },
} as const;

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
      handler: EMAIL_FEEDBACK_HANDLER,
      profile: 'event',
      description: 'Records bounces and complaints of invitation emails on the invitations, from SES events',
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(EMAIL_FEEDBACK),
    });
    props.resources.grant(this.handler, EMAIL_FEEDBACK);

    this.failures = failureQueue(
      this,
      'FeedbackFailures',
      'the dead-letter queue of the feedback rule and the on-failure destination of the feedback function',
    );

    this.handler.configureAsyncInvoke({
      ...FEEDBACK_RETRIES.invocation,
      onFailure: new SqsDestination(this.failures),
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Bounces and complaints of invitation emails, published by their SES configuration set',
      eventBus: defaultBus,
      eventPattern: toEventPattern(emailFeedbackEventPattern(props.configurationSet.configurationSetName)),
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.handler, { ...FEEDBACK_RETRIES.delivery, deadLetterQueue: this.failures }),
    );
  }
}

/** The shared pattern, written with EventBridge's own keys, in the shape CDK takes. */
function toEventPattern(pattern: ReturnType<typeof emailFeedbackEventPattern>): events.EventPattern {
  const { source, 'detail-type': detailType, detail } = pattern;
  return { source, detailType, detail };
}
