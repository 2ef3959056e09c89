import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE } from '../functions/store/table-definition';

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

export type TableAccess = 'read' | 'write' | 'delivery';

const ACTIONS: Record<TableAccess, readonly string[]> = {
  read: READ_ACTIONS,
  write: WRITE_ACTIONS,
  delivery: DELIVERY_ACTIONS,
};

/**
 * The service's one table, built from the shared table definition: on demand, three GSIs, TTL,
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
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** The index ARNs by name, not `index/*`: a grant covers the indexes that exist and no others. */
  get indexArns(): string[] {
    return Object.values(TABLE.indexes).map((index) => `${this.table.tableArn}/index/${index.name}`);
  }

  /** Exactly the actions the access level needs, on the table, and Query on its indexes where it queries. */
  grant(grantee: iam.IGrantable, access: TableAccess): void {
    const actions = ACTIONS[access];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [this.table.tableArn] }),
    );
    if (actions.includes('dynamodb:Query')) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: this.indexArns }),
      );
    }
  }
}
