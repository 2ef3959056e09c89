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
 * The list indexes as tables created before `listSK` hold them: a sort key each, holding
 * `INV#<created>#<id>` (a membership's `WS#<id>`), every attribute projected. An upgraded table
 * keeps them while it gains the new ones (CloudFormation changes one index per deployment, see
 * the README's "Upgrading"); new items no longer enter them, and `npm run migrate` takes the old
 * items out.
 */
export const LEGACY_LIST_INDEXES = [
  { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
  { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'ALL' },
  { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
] as const satisfies readonly IndexDefinition[];

/** The legacy indexes' sort-key attributes: never part of what the store returns. */
export const LEGACY_ATTRIBUTES = LEGACY_LIST_INDEXES.map((index) => index.sortKey);

/**
 * The table's indexes at one step of the upgrade from the legacy list indexes (1–5), or at its
 * end (undefined): each step adds or removes exactly one index, as CloudFormation requires.
 * Steps 1–3 add byUser, byEmail and byWorkspace beside GSI1–3; 4 and 5 remove GSI1 and GSI2;
 * the end removes GSI3.
 */
export function indexesAt(upgradeStep?: number): IndexDefinition[] {
  const lists = [TABLE.indexes.byUser, TABLE.indexes.byEmail, TABLE.indexes.byWorkspace] as IndexDefinition[];
  const others = Object.values(TABLE.indexes).filter((index) => !lists.includes(index)) as IndexDefinition[];
  if (upgradeStep === undefined) return [...lists, ...others];
  const added = lists.slice(0, Math.min(upgradeStep, lists.length));
  const kept = LEGACY_LIST_INDEXES.slice(Math.max(0, upgradeStep - lists.length));
  return [...kept, ...added, ...others];
}

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
