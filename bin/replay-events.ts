/**
 * `npm run replay-events -- --queue URL --bus NAME --table NAME [--source SOURCE] [--region REGION] [--max N] [--dry-run]`:
 * publishes again, with their original event ids, the events parked in the event publisher's
 * failure queue (EventFailuresQueueUrl: stream batches, read again from the table's stream) or
 * in the webhook's dead-letter queue (WebhookFailuresQueueUrl: the events themselves), and
 * deletes each message once its events are on the bus (bin/parked-events.ts). Uses the
 * operator's AWS credentials (the SDK's usual chain). Prints {"messages", "replayed", "events",
 * "eventIds", "left"}; exits 1 when a message was left in the queue.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBus } from '../functions/events/bus';
import { DEFAULT_EVENT_SOURCE } from '../functions/events/config';
import { dynamoRemovals } from '../functions/store/stores';
import { replayParked } from './parked-events';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const usage =
  'Usage: npm run replay-events -- --queue <EventFailuresQueueUrl|WebhookFailuresQueueUrl> --bus <EventBusName> ' +
  '--table <TableName> [--source invitations] [--region REGION] [--max N] [--dry-run]';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    bus: { type: 'string' },
    table: { type: 'string' },
    source: { type: 'string', default: DEFAULT_EVENT_SOURCE },
    region: { type: 'string' },
    max: { type: 'string' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const maxMessages = values.max === undefined ? undefined : Number(values.max);
if (!values.queue || !values.bus || !values.table || (maxMessages !== undefined && !(maxMessages >= 1))) {
  console.error(`--queue, --bus and --table are required; --max is a number of messages, at least 1.\n\n${usage}`);
  process.exit(2);
}

const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
const clients = {
  sqs: new SQSClient({ region }),
  streams: new DynamoDBStreamsClient({ region }),
  bus: new EventBus(new EventBridgeClient({ region }), values.bus, values.source),
  removals: dynamoRemovals(documents, values.table),
};
try {
  const report = await replayParked(clients, {
    queueUrl: values.queue,
    source: values.source,
    dryRun: values['dry-run'] ?? false,
    ...(maxMessages === undefined ? {} : { maxMessages }),
  });
  console.log(JSON.stringify(report));
  if (report.left.length) process.exitCode = 1;
} catch (error) {
  console.error(`The replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  documents.destroy();
  clients.sqs.destroy();
  clients.streams.destroy();
}
