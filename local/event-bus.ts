/**
 * The local event bus, in place of EventBridge: it answers the publisher's PutEvents (the SDK
 * talks to it through EVENTS_ENDPOINT), wraps every entry in EventBridge's envelope, appends it
 * to `events.jsonl` in the data directory, and delivers it as the deployed bus's rules do: to
 * each consumer whose detail-types match (the workspace name sync), and, when EVENTS_WEBHOOK_URL
 * is set, to the operator's webhook as a JSON POST carrying the secret header. A failed delivery
 * is retried with exponential backoff, in order per destination; one that keeps failing is given
 * up and written to that destination's dead-letter file, as EventBridge parks it in a queue.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_SECRET_HEADER } from '../functions/events/config';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface Destination {
  name: string;
  /** The detail-types its rule lets through; absent: every event (the webhook's rule). */
  detailTypes?: readonly string[];
  deliver(event: BusEvent): Promise<void>;
  /** Attempts in all before an event is given up. */
  maxAttempts: number;
  deadLetterFile: string;
}

export interface LocalEventBusOptions {
  eventsFile: string;
  destinations: readonly Destination[];
  /** The first retry's delay; each one after doubles it. */
  retryBaseDelayMs?: number;
  log?(message: string): void;
}

const LOCAL_ACCOUNT = '000000000000';
const MAX_ENTRIES = 10;

export class LocalEventBus {
  private server?: Server;
  private readonly queues = new Map<string, Promise<void>>();
  private pending = 0;
  private stopped = false;
  /** Every event put on the bus since start, in order. */
  readonly events: BusEvent[] = [];

  constructor(private readonly options: LocalEventBusOptions) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.serve(request, response));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once every event put so far has been delivered or given up. */
  async idle(): Promise<void> {
    while (this.pending > 0) await Promise.all([...this.queues.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Puts entries on the bus as PutEvents does: each one accepted or refused on its own. */
  put(entries: readonly PutEntry[]): { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] {
    return entries.map((entry) => {
      const detail = parseDetail(entry.Detail);
      if (!entry.Source || !entry.DetailType || !detail) {
        return {
          ErrorCode: 'MalformedDetail',
          ErrorMessage: 'Source, DetailType and a JSON object Detail are required',
        };
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT,
        time: isoSeconds(entry.Time === undefined ? new Date() : new Date(entry.Time * 1000)),
        region: 'us-east-1',
        resources: entry.Resources ?? [],
        detail,
      };
      this.events.push(event);
      appendFileSync(this.options.eventsFile, `${JSON.stringify(event)}\n`);
      for (const destination of this.options.destinations) {
        if (!destination.detailTypes || destination.detailTypes.includes(event['detail-type'])) {
          this.enqueue(destination, event);
        }
      }
      return { EventId: event.id };
    });
  }

  private enqueue(destination: Destination, event: BusEvent): void {
    this.pending += 1;
    const previous = this.queues.get(destination.name) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(destination, event)).finally(() => (this.pending -= 1));
    this.queues.set(destination.name, next);
  }

  private async deliver(destination: Destination, event: BusEvent): Promise<void> {
    const base = this.options.retryBaseDelayMs ?? 1000;
    let lastError: unknown;
    for (let attempt = 1; attempt <= destination.maxAttempts && !this.stopped; attempt++) {
      try {
        await destination.deliver(event);
        return;
      } catch (error) {
        lastError = error;
        if (attempt < destination.maxAttempts) await sleep(base * 2 ** (attempt - 1));
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    this.options.log?.(`Gave up delivering event ${event['detail-type']} to ${destination.name}: ${reason}`);
    appendFileSync(destination.deadLetterFile, `${JSON.stringify({ reason, event })}\n`);
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers['x-amz-target'];
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      answer(400, { __type: 'UnknownOperationException', message: `The local bus answers only PutEvents` });
      return;
    }
    let entries: PutEntry[];
    try {
      entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEntry[] }).Entries ?? [];
    } catch {
      answer(400, { __type: 'SerializationException', message: 'The request is not JSON' });
      return;
    }
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      answer(400, { __type: 'ValidationException', message: `Entries must hold 1 to ${MAX_ENTRIES} entries` });
      return;
    }
    const results = this.put(entries);
    answer(200, { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results });
  }
}

export interface PutEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  /** Epoch seconds, as the SDK sends a Date in this protocol. */
  Time?: number;
  Resources?: string[];
  EventBusName?: string;
}

/** The operator's webhook: a JSON POST of the whole event, with the secret header; any non-2xx answer is a failure. */
export function webhookDestination(options: {
  url: string;
  secret?: string;
  deadLetterFile: string;
  maxAttempts?: number;
  timeoutMs?: number;
}): Destination {
  return {
    name: 'webhook',
    maxAttempts: options.maxAttempts ?? 8,
    deadLetterFile: options.deadLetterFile,
    async deliver(event) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.secret ? { [WEBHOOK_SECRET_HEADER]: options.secret } : {}),
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
    },
  };
}

function parseDetail(detail: string | undefined): Record<string, unknown> | undefined {
  if (detail === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(detail);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** EventBridge's envelope time: ISO 8601 to the second. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
