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
    /**
     * The three list indexes share one sort key, `listSK`: an invitation's is `<status>#<expiresAt>`,
     * so every status filter is a key range (EXPIRED: the PENDING ones whose expiry is past), and an
     * unfiltered list merges the status ranges. Keys only: a page reads its items from the table, so
     * the email sender's bookkeeping and status details never rewrite an index entry.
     *
     * Invitations a user sent, and the workspaces a user belongs to (`WS#<workspaceId>`). It also
     * carries the byWorkspace partition, so a member's own invitations in one workspace are a range
     * of their sent list filtered by workspace.
     */
    byUser: {
      name: 'byUser',
      partitionKey: 'GSI1PK',
      sortKey: 'listSK',
      projection: 'INCLUDE',
      nonKeyAttributes: ['GSI3PK'],
    },
    /** Invitations sent to an email address. */
    byEmail: { name: 'byEmail', partitionKey: 'GSI2PK', sortKey: 'listSK', projection: 'KEYS_ONLY' },
    /** A workspace's invitations. */
    byWorkspace: { name: 'byWorkspace', partitionKey: 'GSI3PK', sortKey: 'listSK', projection: 'KEYS_ONLY' },
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
} as const satisfies { indexes: Record<string, IndexDefinition> } & Record<string, unknown>;

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes?: readonly string[];
}

/**
 * Sort-key attributes of the list indexes before they shared `listSK` (one per index, holding
 * `INV#<created>#<id>`): `npm run migrate` removes them; until then reads ignore them.
 */
export const LEGACY_ATTRIBUTES = ['GSI1SK', 'GSI2SK', 'GSI3SK'] as const;

export type IndexName = keyof typeof TABLE.indexes;

/** Every key attribute is a string. */
export function keyAttributeNames(): string[] {
  const names = [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...Object.values(TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return [...new Set(names)];
}

/** What an index holds of each item, in the shape of DynamoDB's Projection. */
export function projectionOf(index: IndexDefinition) {
  return {
    ProjectionType: index.projection,
    ...(index.nonKeyAttributes ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
  };
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
      Projection: projectionOf(index),
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}
