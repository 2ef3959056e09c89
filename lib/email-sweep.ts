import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_SWEEP, type ScheduledConsumer } from '../functions/consumers';
import { failureQueue, retriesOf } from './failure-queue';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';

export interface EmailSweepProps {
  readonly resources: ServiceResources;
  readonly logRetention: logs.RetentionDays;
  /** The scheduled consumer to run: the email sweep unless another (the expiry sweep) is given. */
  readonly entry?: ScheduledConsumer;
  /** The function's construct id. */
  readonly functionId?: string;
}

/**
 * The email sweep: a function that queues again the invitation emails the table still owes and
 * nothing else will move on, run by EventBridge Scheduler at the rate of its entry (a run that
 * fails is retried as the entry says, then parked). The operator's re-drive invokes the same
 * function directly with `{"redrive": ["HELD", "FAILED"]}`.
 */
export class EmailSweep extends Construct {
  readonly handler: ServiceFunction;
  readonly schedule: scheduler.Schedule;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: EmailSweepProps) {
    super(scope, id);
    const entry = props.entry ?? EMAIL_SWEEP;
    this.handler = new ServiceFunction(this, props.functionId ?? 'SweepInvitationEmails', {
      handler: entry.handler,
      profile: entry.profile,
      description: entry.description,
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(entry),
    });
    props.resources.grant(this.handler, entry);

    this.failures = failureQueue(this, entry.failureQueue, `the dead-letter queue of the ${entry.handler} schedule`);
    // The schedule's own role, assumable only by Scheduler for this account's schedules.
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.handler.node.defaultChild as never)}.Arn>:*]`,
      reason:
        "Scheduler's Lambda target grants lambda:InvokeFunction on the sweep function and its versions (<arn>:*); " +
        'it names no other function.',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Runs ${entry.handler}`,
      schedule: scheduler.ScheduleExpression.rate(Duration.seconds(entry.rateSeconds)),
      target: new targets.LambdaInvoke(this.handler, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        ...retriesOf(entry.delivery),
        deadLetterQueue: this.failures,
      }),
    });
  }
}
