/**
 * What keeps invitation emails from being lost or stuck in the deployed stack: the sweep and its
 * schedule, what it may touch, the sender's bounded SES calls, and alarms that can reach people.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/store/table-definition';
import type { InvitationsStack } from '../../lib/invitations-stack';
import { actionsOf, EXAMPLE_PARAMETERS, logicalId, statementsOf, synthesize } from './synth';

let stack: InvitationsStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesize(EXAMPLE_PARAMETERS, { bundle: false }));
}, 120_000);

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(stack).getLogicalId(construct.node.defaultChild as never);

describe('the email sweep', () => {
  it('runs every minute through EventBridge Scheduler, with two retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(stack.sweep.handler), 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack.sweep.failures), 'Arn'] } },
      },
    });
  });

  it('may read invitations by key, update them and query the email-state index, and nothing else in DynamoDB', () => {
    const statements = statementsOf(template, stack.sweep.handler);
    const dynamo = statements.filter((statement) => actionsOf([statement]).some((a) => a.startsWith('dynamodb:')));
    const tableArn = { 'Fn::GetAtt': [idOf(stack.table.table), 'Arn'] };
    expect(dynamo).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], Resource: tableArn },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn, `/index/${TABLE.indexes.byEmailState.name}`]] },
      },
    ]);
    expect(actionsOf(statements).filter((action) => /^(ses|secretsmanager):/.test(action))).toEqual([]);
  });

  it('is the only function that may query the email-state index', () => {
    const emailState = `/index/${TABLE.indexes.byEmailState.name}`;
    const others = [...stack.api.functions, stack.email.sender, stack.events.nameSync, stack.feedback.handler];
    for (const fn of others) {
      expect(JSON.stringify(statementsOf(template, fn))).not.toContain(emailState);
    }
  });

  it('outputs its function name with the documented re-drive command', () => {
    template.hasOutput('EmailSweepFunctionName', {
      Value: { Ref: logicalId(stack.sweep.handler) },
      Description: Match.stringLikeRegexp('aws lambda invoke .*"redrive":\\["HELD","FAILED"\\]'),
    });
  });

  it('indexes email states sparsely and keys only, so bookkeeping writes never rewrite it', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: TABLE.indexes.byEmailState.name, Projection: { ProjectionType: 'KEYS_ONLY' } }),
      ]),
    });
  });
});

describe('the sender', () => {
  it('bounds every SES call with the send timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SES_SEND_TIMEOUT_MS: '5000' }) },
      Description: Match.stringLikeRegexp('Sends invitation emails'),
    });
  });
});

describe('alarms that reach people', () => {
  const topicId = () => idOf(stack.monitoring.topic);
  const ourAlarms = {
    StringEquals: { 'aws:SourceAccount': '123456789012' },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']],
      },
    },
  };

  it('lets CloudWatch alarms of this account, and no one else, publish to the topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId() },
            Condition: ourAlarms,
          },
        ]),
      },
    });
  });

  it("lets CloudWatch use the topic's key only for this account's alarms", () => {
    const keys = template.findResources('AWS::KMS::Key');
    const statements = Object.values(keys).flatMap(
      (key) =>
        (key as { Properties: { KeyPolicy: { Statement: { Principal?: unknown; Condition?: unknown }[] } } }).Properties
          .KeyPolicy.Statement,
    );
    const forCloudWatch = statements.filter((statement) =>
      JSON.stringify(statement.Principal ?? '').includes('cloudwatch.amazonaws.com'),
    );
    expect(forCloudWatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsEncrypt',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: ourAlarms,
      },
    ]);
  });

  it('alarms while any email is held, and on a failure ratio above 10 % of at least 10 attempts', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Invitations',
      MetricName: 'HeldEmails',
      Dimensions: [{ Name: 'service', Value: 'invitations' }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId() }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.1,
      AlarmActions: [{ Ref: topicId() }],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(attempts >= 10, failed / attempts, 0)' }),
        Match.objectLike({
          Id: 'attempts',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'EmailAttempts' }) }),
        }),
        Match.objectLike({
          Id: 'failed',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'EmailsFailed', Namespace: 'Invitations' }),
          }),
        }),
      ]),
    });
  });

  it('alarms when the sweep fails or a scheduled run is parked', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.sweep.handler) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(stack.sweep.failures), 'QueueName'] } }],
    });
  });
});
