import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TableAccess } from '../functions/access';
import { type IndexName, indexesAt, TABLE } from '../functions/store/table-definition';

/**
 * The service's one table, built from the shared table definition: on demand, five GSIs, TTL,
 * a stream with both images, point-in-time recovery, deletion protection, kept when the stack
 * goes.
 */
export interface InvitationsTableProps {
  /** RETAIN unless said otherwise; DESTROY also turns deletion protection off, so that it can act. */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * For a table created before the list indexes changed: the step (1–5) of its upgrade, each
   * deployment one index further (README, "Upgrading"). Absent: the indexes as they are now.
   */
  readonly indexUpgradeStep?: number;
}

export class InvitationsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: InvitationsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billingMode: dynamodb.BillingMode[TABLE.billingMode],
      stream: dynamodb.StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    });
    for (const index of indexesAt(props.indexUpgradeStep)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: dynamodb.ProjectionType[index.projection],
        ...(index.nonKeyAttributes ? { nonKeyAttributes: [...index.nonKeyAttributes] } : {}),
      });
    }
  }

  /**
   * Exactly the declared actions on the table, and Query on each declared index by name: a
   * function's grant is its declaration (functions/access.ts), nothing is added per kind of route.
   */
  grant(grantee: iam.IGrantable, access: TableAccess): void {
    if (access.actions.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access.actions.map((action) => `dynamodb:${action}`),
          resources: [this.table.tableArn],
        }),
      );
    }
    const indexes = access.indexes ?? [];
    if (indexes.length > 0) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: this.indexArnsOf(indexes) }),
      );
    }
  }

  /** Index ARNs by name, not `index/*`: a grant covers the indexes it names and no others. */
  private indexArnsOf(indexes: readonly IndexName[]): string[] {
    return indexes.map((index) => `${this.table.tableArn}/index/${TABLE.indexes[index].name}`);
  }
}
