/**
 * The service's event bus: domain events as EventBridge entries (source, detail-type, detail,
 * time), sent with PutEvents in the order given, at most 10 entries and 256 KB per request (the
 * PutEvents limits). EventBridge accepts or refuses each entry on its own; publishing stops at
 * the first refused one, so that what follows it is published again after it, in order.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from './records';

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

export interface PublishOutcome {
  /** How many of the events, from the first, EventBridge accepted before the first it refused. */
  published: number;
  /** The refusal of the first event not published, when there is one. */
  failure?: string;
}

export class EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<PublishOutcome> {
    let published = 0;
    for (const batch of batches(events.map((event) => this.entryOf(event)))) {
      const { Entries = [], FailedEntryCount = 0 } = await this.client.send(new PutEventsCommand({ Entries: batch }));
      if (FailedEntryCount === 0) {
        published += batch.length;
        continue;
      }
      const refused = Entries.findIndex((entry) => entry.ErrorCode !== undefined || !entry.EventId);
      const accepted = refused < 0 ? 0 : refused;
      return { published: published + accepted, failure: Entries[accepted]?.ErrorCode ?? 'PutEventsFailed' };
    }
    return { published };
  }

  private entryOf(event: DomainEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: this.source,
      DetailType: event.type,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.time),
    };
  }
}

/** The entries in requests of at most MAX_ENTRIES and MAX_REQUEST_BYTES, in order. */
function batches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    // EventBridge's own measure: source, detail-type, detail and a fixed 14 bytes for the time.
    const size = Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`) + 14;
    if (current.length && (current.length === MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      result.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) result.push(current);
  return result;
}
