/**
 * The consumers of the local service, started from their entries (functions/consumers.ts) the
 * way AWS feeds them deployed: one stream poller per table-stream consumer, SES's mailbox
 * simulator for the bounce and complaint handler, a timer for the email sweep. Each handler runs
 * held to its declared access; each part is skipped, with what that turns off, when this
 * checkout has no handler for it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import {
  EMAIL_FEEDBACK,
  EMAIL_SWEEP,
  EXPIRY_SWEEP,
  type ScheduledConsumer,
  WORKSPACE_NAME_SYNC,
} from '../functions/consumers';
import { streamConsumerPaths } from './data-dir';
import type { DeclaredAccess } from './declared-access';
import { LOCAL_CREDENTIALS, localDynamoClient } from './dynamodb-local';
import { EmailSweeper, loadSweepHandler } from './email-sweeper';
import { type BusEvent, type Destination, LocalEventBus, webhookDestination } from './event-bus';
import { lambdaContext } from './lambda-context';
import {
  LOCAL_CONFIGURATION_SET,
  loadFeedbackHandler,
  MailboxSimulator,
  type MailboxSimulatorOptions,
  tableMessageLookup,
} from './ses-feedback';
import { StreamPoller, type StreamPollerOptions } from './stream-poller';
import { loadStreamWiring, type StreamWiring } from './stream-wiring';

/** What every consumer needs from the running service. */
export interface ConsumerContext {
  dynamoEndpoint: string;
  tableName: string;
  access: DeclaredAccess;
  /** Function names are `<prefix><handler>`. */
  functionPrefix: string;
  log(message: string): void;
  /** Registers how to stop what was started, in the runner's order. */
  onStop(stop: () => Promise<void>): void;
}

export type PollerOverrides = Partial<
  Pick<StreamPollerOptions, 'maxRetries' | 'retryBaseDelayMs' | 'pollIntervalMs' | 'batchSize'>
>;

/** Like separate event-source mappings: each consumer has its own position, retries and dead letters. */
export async function startStreamPollers(
  context: ConsumerContext,
  options: { streamArn: string; dataRoot: string; stream?: readonly StreamWiring[]; poller?: PollerOverrides },
): Promise<Map<string, StreamPoller>> {
  const { wired, absent } = options.stream ? { wired: options.stream, absent: [] } : await loadStreamWiring();
  for (const consumer of absent) context.log(consumer.whenAbsent);
  const pollers = new Map<string, StreamPoller>();
  if (!wired.length) return pollers;
  const streams = new DynamoDBStreamsClient({
    endpoint: context.dynamoEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  context.onStop(async () => {
    await Promise.all([...pollers.values()].map((poller) => poller.stop()));
    streams.destroy();
  });
  for (const { handler, ...wiring } of wired) {
    const files = streamConsumerPaths(options.dataRoot, wiring.name);
    const poller = new StreamPoller({
      client: streams,
      streamArn: options.streamArn,
      ...wiring,
      handler: context.access.wrap(wiring.name, handler),
      positionFile: files.position,
      deadLetterFile: files.deadLetters,
      functionName: `${context.functionPrefix}${wiring.name}`,
      ...options.poller,
    });
    pollers.set(wiring.name, poller);
  }
  for (const poller of pollers.values()) poller.start();
  return pollers;
}

export type MailboxSimulatorOverrides = Partial<
  Pick<MailboxSimulatorOptions, 'maxRetries' | 'retryBaseDelayMs' | 'pollIntervalMs' | 'sendLookupTimeoutMs'>
>;

/** SES's mailbox simulator feeding the feedback handler, as the EventBridge rule does deployed. */
export async function startMailboxSimulator(
  context: ConsumerContext,
  options: { sesEndpoint: string; overrides?: MailboxSimulatorOverrides },
): Promise<MailboxSimulator | undefined> {
  const handler = await loadFeedbackHandler();
  if (!handler) {
    context.log(EMAIL_FEEDBACK.whenAbsent);
    return undefined;
  }
  const client = localDynamoClient(context.dynamoEndpoint);
  const simulator = new MailboxSimulator({
    sesEndpoint: options.sesEndpoint,
    handler: context.access.wrap(EMAIL_FEEDBACK.handler, handler),
    findSentMessage: tableMessageLookup(client, context.tableName),
    configurationSet: LOCAL_CONFIGURATION_SET,
    functionName: `${context.functionPrefix}${EMAIL_FEEDBACK.handler}`,
    ...options.overrides,
  });
  context.onStop(async () => {
    await simulator.stop();
    client.destroy();
  });
  simulator.start();
  return simulator;
}

/** A sweep (the email sweep by default) on a timer, as Scheduler runs it deployed. */
export async function startEmailSweep(
  context: ConsumerContext,
  options: { intervalMs: number; entry?: ScheduledConsumer; label?: string },
): Promise<EmailSweeper | undefined> {
  const entry = options.entry ?? EMAIL_SWEEP;
  const handler = await loadSweepHandler(entry.handler);
  if (!handler) return undefined;
  const sweeper = new EmailSweeper({
    handler: context.access.wrap(entry.handler, handler),
    intervalMs: options.intervalMs,
    functionName: `${context.functionPrefix}${entry.handler}`,
    ...(options.label ? { label: options.label } : {}),
  });
  context.onStop(() => sweeper.stop());
  sweeper.start();
  return sweeper;
}

/** The expiry sweep on a timer: the change it records is what becomes invitation.expired. */
export function startExpirySweep(context: ConsumerContext, options: { intervalMs: number }) {
  return startEmailSweep(context, { ...options, entry: EXPIRY_SWEEP, label: 'the expiry sweep' });
}

type EventHandler = (event: BusEvent, context: Context) => Promise<unknown>;

/** The local bus's name: the one bus the declared access lets a publisher put events on. */
export const LOCAL_EVENT_BUS_NAME = 'invitations-local';

/**
 * The local bus, started before the stream pollers: the publisher reads EVENTS_ENDPOINT at
 * import. Its destinations are the consumers of the service's events (the name sync, held to
 * its declaration, retried as Lambda retries an asynchronous invocation) and the webhook.
 */
export async function startEventBus(
  context: ConsumerContext,
  options: {
    dataRoot: string;
    source: string;
    webhook?: { url: string; secret?: string };
    retryBaseDelayMs?: number;
  },
): Promise<LocalEventBus> {
  const destinations: Destination[] = [];
  const nameSyncUrl = new URL(`../functions/${WORKSPACE_NAME_SYNC.handler}.ts`, import.meta.url);
  if (existsSync(fileURLToPath(nameSyncUrl))) {
    const functionName = `${context.functionPrefix}${WORKSPACE_NAME_SYNC.handler}`;
    destinations.push({
      name: WORKSPACE_NAME_SYNC.handler,
      detailTypes: WORKSPACE_NAME_SYNC.detailTypes,
      maxAttempts: WORKSPACE_NAME_SYNC.invocation.retryAttempts + 1,
      deadLetterFile: join(options.dataRoot, `${WORKSPACE_NAME_SYNC.handler}.dead-letters.jsonl`),
      deliver: async (event) => {
        const { handler } = (await import(nameSyncUrl.href)) as { handler: EventHandler };
        await context.access.wrap(WORKSPACE_NAME_SYNC.handler, handler)(event, lambdaContext(functionName, 60_000));
      },
    });
  } else {
    context.log(WORKSPACE_NAME_SYNC.whenAbsent);
  }
  if (options.webhook) {
    destinations.push(
      webhookDestination({ ...options.webhook, deadLetterFile: join(options.dataRoot, 'webhook.dead-letters.jsonl') }),
    );
  }
  const bus = new LocalEventBus({
    eventsFile: join(options.dataRoot, 'events.jsonl'),
    destinations,
    log: context.log,
    ...(options.retryBaseDelayMs ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
  });
  const endpoint = await bus.start();
  Object.assign(process.env, {
    EVENTS_ENDPOINT: endpoint,
    EVENT_BUS_NAME: LOCAL_EVENT_BUS_NAME,
    EVENT_SOURCE: options.source,
  });
  context.onStop(() => bus.stop());
  // As IAM does deployed: PutEvents by a function whose declaration has no events:PutEvents is refused.
  const clientUrl = new URL('../functions/events/client.ts', import.meta.url);
  if (existsSync(fileURLToPath(clientUrl))) {
    const { eventBridge } = (await import(clientUrl.href)) as typeof import('../functions/events/client');
    const uninstall = context.access.install(eventBridge);
    context.onStop(async () => uninstall());
  }
  return bus;
}
