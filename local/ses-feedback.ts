/**
 * The SES mailbox simulator, locally: SES bounces mail to bounce@simulator.amazonses.com and
 * draws a complaint for mail to complaint@simulator.amazonses.com, then publishes the event to
 * EventBridge, whose rule invokes the feedback handler. Here, mail to those addresses (labels
 * such as bounce+anything@… included, as SES allows) is picked up from the SES emulator's store,
 * turned into the EventBridge event SES would publish, and handed to the same handler.
 *
 * The emulator does not keep message tags, so the invitation and send number SES would copy
 * from them into `mail.tags` are recovered from the table instead: the sender records the
 * message id SES returned on the invitation it sent (`delivery.messageId`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { EMAIL_FEEDBACK } from '../functions/consumers';
import { EMAIL_TAGS, FEEDBACK_DETAIL_TYPES, type SesFeedbackDetail } from '../functions/email/feedback';
import { invitationIdOf } from '../functions/store/codecs/invitation';
import { ENTITY } from '../functions/store/keys';
import { TABLE } from '../functions/store/table-definition';
import { lambdaContext } from './lambda-context';
import { PollingLoop } from './polling-loop';

/** The configuration set local emails are sent through (SES_CONFIGURATION_SET) and their events name. */
export const LOCAL_CONFIGURATION_SET = 'invitations-local';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const SIMULATOR = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/i;
const MAX_RETRY_DELAY_MS = 10_000;

export type FeedbackEvent = EventBridgeEvent<string, SesFeedbackDetail>;
export type FeedbackHandler = (event: FeedbackEvent, context: Context) => Promise<unknown>;

/** Which send of which invitation a message is: what SES carries in the message's tags. */
export interface SentMessage {
  invitationId: string;
  sendNumber: number;
}

/** An email as the SES emulator's `GET /store` lists it (the fields read here). */
export interface EmulatorEmail {
  messageId: string;
  from: string;
  destination: { to?: string[]; cc?: string[]; bcc?: string[] };
  /** Seconds since the epoch. */
  at: number;
}

export interface MailboxSimulatorOptions {
  /** The SES emulator, e.g. http://127.0.0.1:8005. */
  sesEndpoint: string;
  handler: FeedbackHandler;
  /** Which send of which invitation a message id belongs to; undefined while none records it. */
  findSentMessage(messageId: string): Promise<SentMessage | undefined>;
  configurationSet?: string;
  functionName?: string;
  /**
   * Retries of an event whose invocation failed. Deployed, Lambda retries a failed asynchronous
   * invocation twice, one and then two minutes later; locally the same count, seconds apart.
   */
  maxRetries?: number;
  /** The first retry's delay; each further one doubles it, up to 10 s. */
  retryBaseDelayMs?: number;
  /**
   * How long an email may wait for its send to be recorded (the sender records the message id
   * just after SES accepted the message) before its feedback is given up.
   */
  sendLookupTimeoutMs?: number;
  pollIntervalMs?: number;
  /** The deployed function's timeout: the context's deadline. */
  handlerTimeoutMs?: number;
  /** Milliseconds since the epoch: event times, and where to resume reading the store. */
  now?(): number;
  log?(message: string, detail?: unknown): void;
}

type Resolved = Required<Omit<MailboxSimulatorOptions, 'log'>> & Pick<MailboxSimulatorOptions, 'log'>;

export class MailboxSimulator extends PollingLoop {
  private readonly options: Resolved;
  /** Emails already taken up, by message id; forgotten once the store is read from after them. */
  private readonly handled = new Map<string, number>();
  /** Seconds since the epoch: the store is read from here on (the emulator's `since`). */
  private since?: number;
  private readonly inFlight = new Set<Promise<void>>();
  /** Handler invocations so far, retries included, for diagnostics and tests. */
  invocations = 0;

  constructor(options: MailboxSimulatorOptions) {
    const resolved = {
      configurationSet: LOCAL_CONFIGURATION_SET,
      functionName: EMAIL_FEEDBACK.handler,
      maxRetries: EMAIL_FEEDBACK.invocation.retryAttempts,
      retryBaseDelayMs: 1_000,
      sendLookupTimeoutMs: 30_000,
      pollIntervalMs: 250,
      handlerTimeoutMs: 10_000,
      now: Date.now,
      ...options,
    };
    super(resolved.pollIntervalMs);
    this.options = resolved;
  }

  /** Stops reading the store; invocations in flight complete, waits for retries are cut short. */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all(this.inFlight);
  }

  /** Resolves once every email taken up so far has been delivered or given up. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  protected pollFailed(error: unknown): void {
    this.log('reading the SES emulator failed, retrying', error);
  }

  /** Takes up every email to a simulator address that arrived since the last read. */
  async pollOnce(): Promise<void> {
    // The emulator stamps emails in whole seconds; reading again from this read's second misses none.
    const readFrom = Math.floor(this.options.now() / 1000);
    const emails = await this.readStore();
    for (const email of emails) {
      if (this.handled.has(email.messageId)) continue;
      this.handled.set(email.messageId, email.at);
      const outcomes = simulatedOutcomes(email);
      if (outcomes.length) this.track(this.simulate(email, outcomes));
    }
    this.since = readFrom;
    for (const [messageId, at] of this.handled) if (at < readFrom) this.handled.delete(messageId);
  }

  private async readStore(): Promise<EmulatorEmail[]> {
    const query = this.since === undefined ? '' : `?since=${this.since}`;
    const response = await fetch(`${this.options.sesEndpoint}/store${query}`);
    if (!response.ok) throw new Error(`GET /store answered ${response.status}`);
    const { emails } = (await response.json()) as { emails?: EmulatorEmail[] };
    return emails ?? [];
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error) => this.log('simulating feedback failed', error));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Each outcome is its own event, retried on its own, as SES and EventBridge treat them. */
  private async simulate(email: EmulatorEmail, outcomes: Outcome[]): Promise<void> {
    const sent = await this.lookUp(email.messageId);
    if (!sent) return;
    const tags = {
      'ses:configuration-set': [this.options.configurationSet],
      [EMAIL_TAGS.invitation]: [sent.invitationId],
      [EMAIL_TAGS.send]: [String(sent.sendNumber)],
    };
    await Promise.all(
      outcomes.map((outcome) => this.deliver(feedbackEvent(email, outcome, tags, new Date(this.options.now())))),
    );
  }

  private async lookUp(messageId: string): Promise<SentMessage | undefined> {
    const deadline = this.options.now() + this.options.sendLookupTimeoutMs;
    for (;;) {
      const sent = await this.options.findSentMessage(messageId).catch((error) => {
        this.log(`looking up message ${messageId} failed`, error);
        return undefined;
      });
      if (sent) return sent;
      if (this.halted) return undefined;
      if (this.options.now() > deadline) {
        this.log(
          `no invitation records message ${messageId} as sent after ${this.options.sendLookupTimeoutMs} ms; ` +
            'its feedback is dropped',
        );
        return undefined;
      }
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async deliver(event: FeedbackEvent): Promise<void> {
    const what = `${event['detail-type']} for message ${event.detail.mail?.messageId}`;
    for (let attempt = 1; ; attempt++) {
      this.invocations += 1;
      try {
        await this.options.handler(event, lambdaContext(this.options.functionName, this.options.handlerTimeoutMs));
        return;
      } catch (error) {
        if (attempt > this.options.maxRetries) {
          this.log(`${what} failed ${attempt} times; dropped`, error);
          return;
        }
        this.log(`${what} failed; retrying`, error);
      }
      await this.sleep(Math.min(this.options.retryBaseDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      if (this.halted) {
        this.log(`${what} not retried: stopping`);
        return;
      }
    }
  }

  private log(message: string, detail?: unknown): void {
    const text = `SES mailbox simulator: ${message}`;
    (this.options.log ?? ((line, extra) => console.error(line, extra ?? '')))(text, detail);
  }
}

interface Outcome {
  kind: 'bounce' | 'complaint';
  recipients: string[];
}

/** What the mailbox simulator does with an email: nothing, unless it is to one of its addresses. */
export function simulatedOutcomes(email: Pick<EmulatorEmail, 'destination'>): Outcome[] {
  const recipients = [
    ...(email.destination.to ?? []),
    ...(email.destination.cc ?? []),
    ...(email.destination.bcc ?? []),
  ]
    .map(addressOf)
    .filter((address) => SIMULATOR.test(address));
  return (['bounce', 'complaint'] as const)
    .map((kind) => ({ kind, recipients: recipients.filter((address) => address.toLowerCase().startsWith(kind)) }))
    .filter(({ recipients }) => recipients.length > 0);
}

/** The event SES publishes to EventBridge for a permanent bounce or a complaint. */
export function feedbackEvent(
  email: EmulatorEmail,
  outcome: Outcome,
  tags: Record<string, string[]>,
  now: Date,
): FeedbackEvent {
  const timestamp = now.toISOString();
  const feedbackId = `${randomUUID()}-000000`;
  const mail = {
    timestamp: new Date(email.at * 1000).toISOString(),
    source: addressOf(email.from),
    sendingAccountId: ACCOUNT,
    messageId: email.messageId,
    destination: [...(email.destination.to ?? []), ...(email.destination.cc ?? []), ...(email.destination.bcc ?? [])],
    tags,
  };
  const detail =
    outcome.kind === 'bounce'
      ? {
          eventType: 'Bounce',
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: outcome.recipients.map((emailAddress) => ({
              emailAddress,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            })),
            timestamp,
            feedbackId,
            reportingMTA: 'dns; amazonses.com',
          },
          mail,
        }
      : {
          eventType: 'Complaint',
          complaint: {
            complainedRecipients: outcome.recipients.map((emailAddress) => ({ emailAddress })),
            complaintFeedbackType: 'abuse',
            timestamp,
            feedbackId,
          },
          mail,
        };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': outcome.kind === 'bounce' ? FEEDBACK_DETAIL_TYPES.bounce : FEEDBACK_DETAIL_TYPES.complaint,
    source: 'aws.ses',
    account: ACCOUNT,
    time: `${timestamp.slice(0, 19)}Z`,
    region: REGION,
    resources: [],
    detail,
  };
}

/** `Name <address>` or `address` → `address`. */
function addressOf(recipient: string): string {
  return (/<([^<>]+)>\s*$/.exec(recipient)?.[1] ?? recipient).trim();
}

/**
 * Finds the invitation whose latest send has `messageId`, by scanning the table. Deployed, the
 * message's tags say which invitation and send an event is about, and nothing needs to look a
 * message id up, so the table has no index for it. Locally the emulator drops the tags; a
 * scan of a table that holds one developer's data, once per email to a simulator address, costs
 * nothing worth an index in the shared table definition.
 */
export function tableMessageLookup(
  client: DynamoDBClient,
  tableName: string,
): (messageId: string) => Promise<SentMessage | undefined> {
  const documents = DynamoDBDocumentClient.from(client);
  return async (messageId) => {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#entity = :invitation AND #delivery.messageId = :messageId',
          ProjectionExpression: '#pk, #delivery.sendNumber',
          ExpressionAttributeNames: { '#entity': 'entity', '#pk': TABLE.partitionKey, '#delivery': 'delivery' },
          ExpressionAttributeValues: { ':invitation': ENTITY.invitation, ':messageId': messageId },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      const item = page.Items?.[0];
      const sendNumber = (item?.delivery as { sendNumber?: unknown } | undefined)?.sendNumber;
      if (item && typeof sendNumber === 'number') return { invitationId: invitationIdOf(item), sendNumber };
      start = page.LastEvaluatedKey;
    } while (start);
    return undefined;
  };
}

/**
 * The feedback handler, or undefined when this checkout has none. Imported only once the
 * environment is set, since the handler reads its configuration at import.
 */
export async function loadFeedbackHandler(name: string = EMAIL_FEEDBACK.handler): Promise<FeedbackHandler | undefined> {
  const url = new URL(`../functions/${name}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const { handler } = (await import(url.href)) as { handler: FeedbackHandler };
  return handler;
}
