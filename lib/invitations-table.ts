import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type IndexName, TABLE } from '../functions/store/table-definition';

/** Item reads: what a read-only route does (GetItem, BatchGetItem, Query on the table or an index). */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;

/**
 * What a writing route needs on top: its transactions put, update and delete items and check
 * conditions (TransactWriteItems is authorized per contained action, it is no IAM action itself).
 */
export const WRITE_ACTIONS = [
  ...READ_ACTIONS,
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/**
 * The email sender claims and records each delivery with a conditional update of the invitation
 * the stream handed it; everything else it needs is in the stream record.
 */
export const DELIVERY_ACTIONS = ['dynamodb:UpdateItem'] as const;

/**
 * The workspace name sync finds a renamed workspace's invitations through the byWorkspace index
 * and updates each one conditionally; it never reads an item by key nor queries the table itself.
 */
export const WORKSPACE_RENAME_ACTIONS = ['dynamodb:UpdateItem'] as const;

/**
 * The email feedback recorder sets a bounce or complaint on the invitation with one conditional
 * update; the event carries the invitation id, and the condition, not a read, decides whether
 * the feedback still applies. Its own kind, though the sender's actions are the same today: a
 * change to what the sender needs must not widen what the feedback recorder may do.
 */
export const DELIVERY_FEEDBACK_ACTIONS = ['dynamodb:UpdateItem'] as const;

/**
 * The email sweep finds unsettled sends through the email-state index, reads their invitations
 * by key, and queues each again (or clears its index keys) with one conditional update.
 */
export const EMAIL_SWEEP_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'] as const;

export type TableAccess = 'read' | 'write' | 'delivery' | 'delivery-feedback' | 'workspace-rename' | 'email-sweep';

/** What an access level may do: actions on the table, and the indexes it may query. */
interface AccessGrant {
  readonly table: readonly string[];
  readonly queries: readonly IndexName[];
}

/** The indexes the API's lists read; the email-state index serves the email sweep alone. */
const LIST_INDEXES: readonly IndexName[] = ['byUser', 'byEmail', 'byWorkspace'];

const ACCESS: Record<TableAccess, AccessGrant> = {
  read: { table: READ_ACTIONS, queries: LIST_INDEXES },
  write: { table: WRITE_ACTIONS, queries: LIST_INDEXES },
  'email-sweep': { table: EMAIL_SWEEP_ACTIONS, queries: ['byEmailState'] },
  delivery: { table: DELIVERY_ACTIONS, queries: [] },
  'delivery-feedback': { table: DELIVERY_FEEDBACK_ACTIONS, queries: [] },
  'workspace-rename': { table: WORKSPACE_RENAME_ACTIONS, queries: ['byWorkspace'] },
};

/**
 * The service's one table, built from the shared table definition: on demand, four GSIs, TTL,
 * a stream with both images, point-in-time recovery, deletion protection, kept when the stack
 * goes.
 */
export class InvitationsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billingMode: dynamodb.BillingMode[TABLE.billingMode],
      stream: dynamodb.StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType[index.projection],
      });
    }
  }

  /** Exactly the actions the access level needs on the table, and Query on the indexes it queries. */
  grant(grantee: iam.IGrantable, access: TableAccess): void {
    const { table, queries } = ACCESS[access];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...table], resources: [this.table.tableArn] }),
    );
    if (queries.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: this.indexArnsOf(queries) }),
      );
    }
  }

  /** Index ARNs by name, not `index/*`: a grant covers the indexes it names and no others. */
  private indexArnsOf(indexes: readonly IndexName[]): string[] {
    return indexes.map((index) => `${this.table.tableArn}/index/${TABLE.indexes[index].name}`);
  }
}
