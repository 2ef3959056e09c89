/**
 * The functions that are not routes, one entry each: the two readers of the table stream (the
 * email sender and the event publisher), the consumers of SES's bounce and complaint events and of
 * the service's own events, and the two scheduled sweeps. An entry carries
 * everything about its consumer: its handler, what feeds it and how (filters, batching, retries,
 * the age past which work is given up), where work that still fails ends, and what it does with
 * the service's resources (functions/access.ts). The CDK constructs (lib/) build, feed and grant
 * each function from its entry; the local runner feeds and holds each handler by the same entry.
 */
import type { FunctionNeeds } from './access';
import type { EventType } from './domain/events';
import { STREAM_EVENT_SOURCE } from './stream/event-source';
import { type FilterPattern, invitationEmailFilterPatterns, serviceEventFilterPatterns } from './stream/filters';

interface ConsumerEntry extends FunctionNeeds {
  /** The handler file: functions/<handler>.ts. */
  readonly handler: string;
  /** What the function does: its description once deployed. */
  readonly description: string;
  /** Memory and timeout (lib/service-function.ts): stream work, or one small event at a time. */
  readonly profile: 'stream' | 'event';
  /** The construct id of the queue where work that still fails ends (SQS, deployed). */
  readonly failureQueue: string;
}

/** Retries and age limits, in seconds, as CloudWatch Events, Scheduler and Lambda take them. */
export interface RetryPolicy {
  readonly retryAttempts: number;
  readonly maxEventAgeSeconds: number;
}

/** Fed by the table stream through an event-source mapping (locally, a stream poller). */
export interface TableStreamConsumer extends ConsumerEntry {
  readonly source: 'table-stream';
  /** The records that reach it: Lambda filter criteria deployed, matchesFilterPatterns locally. */
  readonly filterPatterns: readonly FilterPattern[];
  readonly batching: {
    readonly batchSize: number;
    /** Retries of a failing record before it is parked (the failure queue; a dead-letter file locally). */
    readonly retryAttempts: number;
    /** A record older than this is parked without further retries. */
    readonly maxRecordAgeSeconds: number;
    /** On failure, split the batch to isolate the failing record. */
    readonly bisectBatchOnError: boolean;
  };
  /** What the local runner says is off when this checkout has no such handler. */
  readonly whenAbsent: string;
}

/** Fed by SES's events through an EventBridge rule (locally, the mailbox simulator). */
export interface SesEventsConsumer extends ConsumerEntry {
  readonly source: 'ses-events';
  /** EventBridge handing the event to Lambda. */
  readonly delivery: RetryPolicy;
  /** Lambda's own retries of the asynchronous invocation. */
  readonly invocation: RetryPolicy;
  readonly whenAbsent: string;
}

/** Run on a timer by EventBridge Scheduler (locally, the runner's timer). */
export interface ScheduledConsumer extends ConsumerEntry {
  readonly source: 'schedule';
  readonly rateSeconds: number;
  /** Scheduler's retries of a run that failed. */
  readonly delivery: RetryPolicy;
}

/** Fed by the service's own events through a rule on its bus (locally, the runner's bus). */
export interface ServiceEventsConsumer extends ConsumerEntry {
  readonly source: 'service-events';
  /** The detail-types the rule lets through. */
  readonly detailTypes: readonly EventType[];
  /** EventBridge handing the event to Lambda. */
  readonly delivery: RetryPolicy;
  /** Lambda's own retries of the asynchronous invocation. */
  readonly invocation: RetryPolicy;
  readonly whenAbsent: string;
}

export type Consumer = TableStreamConsumer | SesEventsConsumer | ScheduledConsumer | ServiceEventsConsumer;

/**
 * Claims each send with a conditional update of the invitation the stream handed it and records
 * the outcome the same way; everything else it needs is in the stream record. It rebuilds the
 * link, so it reads the link-token key.
 */
export const EMAIL_SENDER = {
  handler: 'send-invitation-emails',
  description: 'Sends invitation emails for new and resent invitations, from the table stream',
  profile: 'stream',
  source: 'table-stream',
  filterPatterns: invitationEmailFilterPatterns,
  batching: STREAM_EVENT_SOURCE,
  failureQueue: 'DeliveryFailures',
  table: { actions: ['UpdateItem'] },
  secrets: ['linkTokenKey'],
  whenAbsent: 'Email delivery is off: this checkout has no stream handler for invitation emails.',
} as const satisfies TableStreamConsumer;

/**
 * Reads every change of an invitation, a member or a workspace off the table stream and
 * publishes the domain events it amounts to on the service's bus. Its only table access reads,
 * by key, the removal records of the batch's deletions, which name who deleted.
 * The table stream has two readers, this one and the email sender: DynamoDB advises at most two
 * per shard. Whatever else reacts to changes (the workspace name sync, the operator's webhook)
 * consumes the published events instead.
 */
export const EVENT_PUBLISHER = {
  handler: 'publish-events',
  description: 'Publishes the domain events of invitations, members and workspaces, from the table stream',
  profile: 'stream',
  source: 'table-stream',
  filterPatterns: serviceEventFilterPatterns,
  batching: STREAM_EVENT_SOURCE,
  failureQueue: 'EventFailures',
  table: { actions: ['BatchGetItem'] },
  events: ['PutEvents'],
  whenAbsent: 'Domain events are off: this checkout has no event publisher.',
} as const satisfies TableStreamConsumer;

/**
 * Finds a renamed workspace's invitations through the byWorkspace index and updates each one
 * conditionally; finds a departed member's live invitations in their byUser range and reads them
 * in batches to revoke them; it never queries the table itself. Fed by the
 * workspace.updated and member.removed events, whose order does not matter to it. Retries as the
 * email feedback consumer's, for the same reasons: EventBridge retries handing the event over,
 * Lambda retries a failed invocation twice.
 */
export const WORKSPACE_NAME_SYNC = {
  handler: 'sync-workspace-names',
  description: "Gives a renamed workspace's invitations its new name and withdraws departed members' invitations",
  profile: 'event',
  source: 'service-events',
  detailTypes: ['workspace.updated', 'member.removed'],
  delivery: { retryAttempts: 20, maxEventAgeSeconds: 6 * 60 * 60 },
  invocation: { retryAttempts: 2, maxEventAgeSeconds: 6 * 60 * 60 },
  failureQueue: 'RenameFailures',
  table: { actions: ['BatchGetItem', 'UpdateItem'], indexes: ['byWorkspace', 'byUser'] },
  whenAbsent:
    "Workspace renames do not reach invitations, and departed members' invitations stay pending: this checkout has no handler for them.",
} as const satisfies ServiceEventsConsumer;

/**
 * Sets a bounce or complaint on the invitation with one conditional update; the event carries
 * the invitation id, and the condition, not a read, decides whether the feedback still applies.
 *
 * How long and how often an event is retried before it is parked, on each of its two legs.
 * EventBridge → Lambda: EventBridge only retries handing the event to Lambda, which fails only
 * when the Lambda API is throttled or unavailable (a permission or missing-function error goes
 * straight to the queue). It backs off exponentially between attempts, so 20 attempts spread
 * over the hours a regional disruption may last; 6 hours, not EventBridge's default 24, because
 * a bounce recorded a day late has lost most of its use and the queue keeps it for an operator.
 * Lambda → the handler: once Lambda has accepted the event, its own asynchronous retries apply.
 * The handler throws only for what passes: feedback that outran the recording of its send (the
 * sender records a send as soon as SES accepts it) or a DynamoDB failure. Lambda's maximum of 2
 * retries, one and then two minutes apart, covers both. Events wait in Lambda's queue only while
 * the function is throttled; 6 hours is Lambda's maximum and matches the leg before.
 */
export const EMAIL_FEEDBACK = {
  handler: 'record-email-feedback',
  description: 'Records bounces and complaints of invitation emails on the invitations, from SES events',
  profile: 'event',
  source: 'ses-events',
  delivery: { retryAttempts: 20, maxEventAgeSeconds: 6 * 60 * 60 },
  invocation: { retryAttempts: 2, maxEventAgeSeconds: 6 * 60 * 60 },
  failureQueue: 'FeedbackFailures',
  table: { actions: ['UpdateItem'] },
  whenAbsent: 'Bounces and complaints are not simulated: this checkout has no handler for SES feedback.',
} as const satisfies SesEventsConsumer;

/**
 * Finds unsettled sends through the email-state index, reads their invitations by key, and
 * queues each again (or takes it out of the index) with one conditional update. It runs every
 * minute, Scheduler's shortest rate; a run that has waited two minutes is overtaken by the next
 * one anyway.
 */
export const EMAIL_SWEEP = {
  handler: 'sweep-invitation-emails',
  description: 'Queues again invitation emails that are owed and stuck, held emails due a retry, and re-drives',
  profile: 'stream',
  source: 'schedule',
  rateSeconds: 60,
  delivery: { retryAttempts: 2, maxEventAgeSeconds: 2 * 60 },
  failureQueue: 'SweepFailures',
  table: { actions: ['BatchGetItem', 'UpdateItem'], indexes: ['byEmailState'] },
} as const satisfies ScheduledConsumer;

/**
 * Finds PENDING invitations past their expiry through the expiry index and records, with one
 * conditional update each, that they expired: that change is what the publisher turns into
 * invitation.expired. Every minute, so an event follows an expiry within about two minutes.
 */
export const EXPIRY_SWEEP = {
  handler: 'sweep-expired-invitations',
  description: 'Records the expiry of PENDING invitations past their expiresAt, for invitation.expired',
  profile: 'stream',
  source: 'schedule',
  rateSeconds: 60,
  delivery: { retryAttempts: 2, maxEventAgeSeconds: 2 * 60 },
  failureQueue: 'ExpirySweepFailures',
  table: { actions: ['UpdateItem'], indexes: ['byExpiry'] },
} as const satisfies ScheduledConsumer;

export const consumers: readonly Consumer[] = [
  EMAIL_SENDER,
  EVENT_PUBLISHER,
  WORKSPACE_NAME_SYNC,
  EMAIL_FEEDBACK,
  EMAIL_SWEEP,
  EXPIRY_SWEEP,
];

/** The consumers of the table stream; in AWS each has its own event-source mapping. */
export const tableStreamConsumers: readonly TableStreamConsumer[] = consumers.filter(
  (consumer): consumer is TableStreamConsumer => consumer.source === 'table-stream',
);
