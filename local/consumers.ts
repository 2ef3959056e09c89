/**
 * The consumers of the local service, started from their entries (functions/consumers.ts) the
 * way AWS feeds them deployed: one stream poller per table-stream consumer, SES's mailbox
 * simulator for the bounce and complaint handler, a timer for the email sweep. Each handler runs
 * held to its declared access; each part is skipped, with what that turns off, when this
 * checkout has no handler for it.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EMAIL_FEEDBACK, EMAIL_SWEEP } from '../functions/consumers';
import { streamConsumerPaths } from './data-dir';
import type { DeclaredAccess } from './declared-access';
import { LOCAL_CREDENTIALS, localDynamoClient } from './dynamodb-local';
import { EmailSweeper, loadSweepHandler } from './email-sweeper';
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

/** The email sweep on a timer, as Scheduler runs it deployed. */
export async function startEmailSweep(
  context: ConsumerContext,
  options: { intervalMs: number },
): Promise<EmailSweeper | undefined> {
  const handler = await loadSweepHandler();
  if (!handler) return undefined;
  const sweeper = new EmailSweeper({
    handler: context.access.wrap(EMAIL_SWEEP.handler, handler),
    intervalMs: options.intervalMs,
    functionName: `${context.functionPrefix}${EMAIL_SWEEP.handler}`,
  });
  context.onStop(() => sweeper.stop());
  sweeper.start();
  return sweeper;
}
