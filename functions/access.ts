/**
 * What a function declares it does with the service's resources, beside the definition of the
 * function itself (its route in routes.ts, or its consumer entry in consumers.ts). The CDK
 * constructs grant exactly this and give the function only the configuration it declares; the
 * local runner refuses, as IAM would, any DynamoDB or PutEvents request that goes beyond it.
 */
import type { IndexName } from './store/table-definition';

/**
 * DynamoDB actions as IAM names them, without the `dynamodb:` prefix. A transaction is no action
 * of its own: TransactWriteItems is authorized item by item (PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem), TransactGetItems as GetItem.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

export interface TableAccess {
  /** Actions on the table itself (`Query` here queries the table's own key). */
  readonly actions: readonly TableAction[];
  /** Indexes the function queries; Query is granted on each of them, by name. */
  readonly indexes?: readonly IndexName[];
  /**
   * The most requests one invocation sends to DynamoDB at once, when more than one (a list reads
   * each status's key range in parallel): priming opens as many connections.
   */
  readonly atOnce?: number;
}

/** The Secrets Manager keys: the link-token HMAC key, read at run time; the cursor key, resolved into the environment. */
export type ServiceSecret = 'linkTokenKey' | 'cursorKey';

/** Abuse limits a function enforces; each reaches only the functions that declare it, as an environment variable. */
export type ServiceLimit = keyof typeof LIMIT_VARIABLES;

/** The environment variable that carries each limit (functions/platform/config.ts reads them). */
export const LIMIT_VARIABLES = {
  invitationEmailsPerUserPerDay: 'INVITATION_EMAILS_PER_USER_PER_DAY',
  workspacesPerUser: 'WORKSPACES_PER_USER',
  membersPerWorkspace: 'MEMBERS_PER_WORKSPACE',
  pendingInvitationsPerWorkspace: 'PENDING_INVITATIONS_PER_WORKSPACE',
  workspaceRenamesPerMinute: 'WORKSPACE_RENAMES_PER_MINUTE',
} as const;

/** The environment variable of each secret. */
export const SECRET_VARIABLES = {
  linkTokenKey: 'TOKEN_KEY_SECRET_ARN',
  cursorKey: 'CURSOR_SECRET',
} as const satisfies Record<ServiceSecret, string>;

/** EventBridge actions as IAM names them: PutEvents on the service's bus, and on no other. */
export type EventsAction = 'PutEvents';

export interface FunctionNeeds {
  /** Absent: no table access and no TABLE_NAME. */
  readonly table?: TableAccess;
  /** Absent: no access to the event bus and no EVENT_BUS_NAME. */
  readonly events?: readonly EventsAction[];
  readonly secrets?: readonly ServiceSecret[];
  readonly limits?: readonly ServiceLimit[];
}

/** A permission as `<action>` on the table or `Query@<index>` on an index: one string per IAM grant. */
export type TableGrant = TableAction | `Query@${IndexName}`;

/** Every permission a declaration amounts to, sorted, without repeats. */
export function tableGrantsOf(access: TableAccess | undefined): TableGrant[] {
  if (!access) return [];
  const grants: TableGrant[] = [...access.actions, ...(access.indexes ?? []).map((index) => `Query@${index}` as const)];
  return [...new Set(grants)].sort();
}

/**
 * The reads a function sends during its init phase to set up what the SDK otherwise sets up on
 * its first request (functions/store/client.ts): its own declared GetItem and BatchGetItem, each
 * once (each command has its own first pass through the SDK: create-invitation's first request
 * sends a BatchGetItem), so it needs no grant of its own; none for a function that only writes.
 * Comma-separated in the variable.
 */
export const PRIMING_VARIABLE = 'DYNAMODB_PRIME';
export const PRIMING_READS = ['GetItem', 'BatchGetItem'] as const;
export type PrimingRead = (typeof PRIMING_READS)[number];

export function primingReadsOf(needs: FunctionNeeds): PrimingRead[] {
  const actions: readonly string[] = needs.table?.actions ?? [];
  return PRIMING_READS.filter((read) => actions.includes(read));
}

/**
 * How many reads the function sends at once while priming, when more than it has kinds of read:
 * a request that sends five at once on a client with one open connection waits for four more to
 * be set up (measured locally, the first unfiltered list took 9–15 ms longer than a warm one with
 * one connection primed, 1–6 ms with four or five).
 */
export const PRIMING_CONNECTIONS_VARIABLE = 'DYNAMODB_PRIME_CONNECTIONS';

export function primingConnectionsOf(needs: FunctionNeeds): number {
  const reads = primingReadsOf(needs).length;
  return reads === 0 ? 0 : Math.max(reads, needs.table?.atOnce ?? 1);
}
