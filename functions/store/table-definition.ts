/**
 * The one definition of the table: keys, indexes, TTL and stream. The store builds its keys from
 * it, the CDK stack creates the table from it, and the local runner creates DynamoDB Local's
 * table from it.
 */
export const TABLE = {
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'ttl',
  streamViewType: 'NEW_AND_OLD_IMAGES',
  billingMode: 'PAY_PER_REQUEST',
  indexes: {
    /** Invitations a user sent, and the workspaces a user belongs to. */
    byUser: { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    /** Invitations sent to an email address. */
    byEmail: { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
    /** A workspace's invitations. */
    byWorkspace: { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
    /**
     * Invitation emails not settled yet (owed, held or failed), by state and since when: the
     * sweep and the operator's re-drive read it. Sparse (only such invitations carry its keys)
     * and keys only, so the sender's own bookkeeping writes never rewrite it.
     */
    byEmailState: { name: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK', projection: 'KEYS_ONLY' },
    /**
     * PENDING invitations by expiry, until the expiry sweep has announced them as expired: the
     * sweep reads the ones past due. Sparse (accepting, declining, withdrawing and the sweep take
     * an invitation out) and keys only.
     */
    byExpiry: { name: 'GSI5', partitionKey: 'GSI5PK', sortKey: 'GSI5SK', projection: 'KEYS_ONLY' },
  },
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** Every key attribute is a string. */
export function keyAttributeNames(): string[] {
  return [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
}

/** The table in the shape of DynamoDB's CreateTable input, for DynamoDB Local and tests. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: TABLE.billingMode,
    AttributeDefinitions: keyAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: index.projection },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}
