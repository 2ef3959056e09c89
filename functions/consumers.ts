/**
 * The functions that are not routes: the two consumers of the table stream, the consumer of SES's
 * bounce and complaint events and the scheduled email sweep, each with what it declares it does
 * (functions/access.ts).
 * The CDK constructs grant exactly this; the local runner holds each handler to it.
 */
import type { FunctionNeeds } from './access';

export interface Consumer extends FunctionNeeds {
  /** The handler file: functions/<handler>.ts. */
  readonly handler: string;
  readonly source: 'table-stream' | 'ses-events' | 'schedule';
}

/**
 * Claims each send with a conditional update of the invitation the stream handed it and records
 * the outcome the same way; everything else it needs is in the stream record. It rebuilds the
 * link, so it reads the link-token key.
 */
export const EMAIL_SENDER = {
  handler: 'send-invitation-emails',
  source: 'table-stream',
  table: { actions: ['UpdateItem'] },
  secrets: ['linkTokenKey'],
} as const satisfies Consumer;

/**
 * Finds a renamed workspace's invitations through the byWorkspace index and updates each one
 * conditionally; it never reads an item by key nor queries the table itself.
 */
export const WORKSPACE_NAME_SYNC = {
  handler: 'sync-workspace-names',
  source: 'table-stream',
  table: { actions: ['UpdateItem'], indexes: ['byWorkspace'] },
} as const satisfies Consumer;

/**
 * Sets a bounce or complaint on the invitation with one conditional update; the event carries
 * the invitation id, and the condition, not a read, decides whether the feedback still applies.
 */
export const EMAIL_FEEDBACK = {
  handler: 'record-email-feedback',
  source: 'ses-events',
  table: { actions: ['UpdateItem'] },
} as const satisfies Consumer;

/**
 * Finds unsettled sends through the email-state index, reads their invitations by key, and
 * queues each again (or takes it out of the index) with one conditional update.
 */
export const EMAIL_SWEEP = {
  handler: 'sweep-invitation-emails',
  source: 'schedule',
  table: { actions: ['BatchGetItem', 'UpdateItem'], indexes: ['byEmailState'] },
} as const satisfies Consumer;

export const consumers: readonly Consumer[] = [EMAIL_SENDER, WORKSPACE_NAME_SYNC, EMAIL_FEEDBACK, EMAIL_SWEEP];
