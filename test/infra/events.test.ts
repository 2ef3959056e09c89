/**
 * The deployment parameters of the domain events: a bus passed in instead of created, another
 * source, and the operator's webhook through an EventBridge API destination with the secret as
 * a header, EventBridge's retries and a dead-letter queue.
 */
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_HEADER } from '../../functions/events/config';
import { EXAMPLE_PARAMETERS, logicalId, statementsOf, synthesize } from './synth';

const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/product-events';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:invitations-webhook-AbCdEf';

describe('with a webhook, a bus of the operator and another source', () => {
  const { stack, template } = synthesize(
    {
      ...EXAMPLE_PARAMETERS,
      eventBusArn: BUS_ARN,
      eventSource: 'acme.invitations',
      webhookUrl: 'https://hooks.example.com/invitations',
      webhookSecretArn: SECRET_ARN,
    },
    { bundle: false },
  );
  const webhook = stack.events.webhook;
  const resolved = (token: string | undefined) => Stack.of(stack).resolve(token);

  it('creates no bus, and grants PutEvents on the operator bus only', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    const putEvents = statementsOf(template, stack.events.publisher).filter((statement) =>
      JSON.stringify(statement.Action).includes('events:'),
    );
    expect(putEvents).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }]);
    const variables = template.toJSON().Resources[logicalId(stack.events.publisher)].Properties.Environment.Variables;
    expect(variables).toMatchObject({ EVENT_BUS_NAME: 'product-events', EVENT_SOURCE: 'acme.invitations' });
  });

  it('sends every event of the source to the endpoint, the secret from Secrets Manager as a header', () => {
    expect(webhook).toBeDefined();
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: WEBHOOK_SECRET_HEADER,
          ApiKeyValue: Match.stringLikeRegexp(`resolve:secretsmanager:${SECRET_ARN}`),
        },
      },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://hooks.example.com/invitations',
      HttpMethod: 'POST',
      ConnectionArn: resolved(webhook?.connection.connectionArn),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: BUS_ARN.split('/')[1],
      EventPattern: { source: ['acme.invitations'] },
      Targets: [
        Match.objectLike({
          Arn: resolved(webhook?.destination.apiDestinationArn),
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: resolved(webhook?.failures.queueArn) },
        }),
      ],
    });
  });

  it('outputs the webhook dead-letter queue, for replaying what it parked', () => {
    template.hasOutput('WebhookFailuresQueueUrl', { Value: resolved(webhook?.failures.queueUrl) });
  });

  it('raises an alarm on the alarm topic when an event is parked in the webhook dead-letter queue', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: {
        Dimensions: [{ Name: 'QueueName', Value: resolved(webhook?.failures.queueName) }],
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      },
    });
    expect(Object.values(alarms).map((alarm) => alarm.Properties.AlarmActions)).toEqual([
      [resolved(stack.monitoring.topic.topicArn)],
    ]);
  });

  it('refuses a webhook without its secret, a plain-HTTP endpoint and a malformed bus', () => {
    expect(() =>
      synthesize({ ...EXAMPLE_PARAMETERS, webhookUrl: 'https://hooks.example.com' }, { bundle: false }),
    ).toThrow(/webhookUrl and webhookSecretArn go together/);
    expect(() =>
      synthesize(
        { ...EXAMPLE_PARAMETERS, webhookUrl: 'http://hooks.example.com', webhookSecretArn: SECRET_ARN },
        { bundle: false },
      ),
    ).toThrow(/webhookUrl must be an https URL/);
    expect(() => synthesize({ ...EXAMPLE_PARAMETERS, eventBusArn: 'product-events' }, { bundle: false })).toThrow(
      /eventBusArn must be the ARN/,
    );
  });
});
