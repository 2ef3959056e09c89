/**
 * The table as the stores use it: transactions whose failed conditions are named, conditional
 * writes that answer whether they applied, reads by key. Every store goes through it, so retries,
 * condition handling and the shape of requests are written once.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Refused } from '../../use-cases/refused';
import { backoff, batchGetItems, RETRY_ATTEMPTS } from './batch-get';
import { type Expression, placeholders } from './expression';

export type Item = Record<string, unknown>;
export type Key = Record<string, string>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** One write of a transaction, with a label that names it when its condition fails. */
export interface Write {
  label: string;
  item: TransactItem;
}

/** A failed condition of one write: its label, and the item as it is now if it exists and was asked for. */
export interface FailedCondition {
  label: string;
  current: Item | undefined;
}

/**
 * A condition inside a transaction failed; `label` and `current` are the first failed write's,
 * `failures` every failed write's (DynamoDB reports each item's condition), in write order.
 */
export class ConditionFailed extends Error {
  readonly failures: readonly FailedCondition[];

  constructor(
    readonly label: string,
    readonly current: Item | undefined,
    failures?: readonly FailedCondition[],
  ) {
    super(`condition failed: ${label}`);
    this.failures = failures ?? [{ label, current }];
  }

  /** The failure of the write labelled `label`, if its condition failed. */
  failureOf(label: string): FailedCondition | undefined {
    return this.failures.find((failure) => failure.label === label);
  }
}

/** The outcome of a single conditional write: applied (with the item as written, when asked), or not (with the item as it is). */
export type WriteOutcome = { applied: true; item?: Item } | { applied: false; current?: Item };

export class Table {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  put(label: string, item: Item, condition?: Expression, returnCurrent = false): Write {
    return {
      label,
      item: {
        Put: {
          TableName: this.name,
          Item: item,
          ...(condition ? { ConditionExpression: condition.expression, ...placeholders(condition) } : {}),
          ...(returnCurrent ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
        },
      },
    };
  }

  /** `returnCurrent`: a failed condition reports the item as it is, for explaining the refusal. */
  update(label: string, key: Key, update: Expression, condition?: Expression, returnCurrent = false): Write {
    return {
      label,
      item: {
        Update: {
          TableName: this.name,
          Key: key,
          UpdateExpression: update.expression,
          ...(condition ? { ConditionExpression: condition.expression } : {}),
          ...placeholders(update, condition),
          ...(returnCurrent ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
        },
      },
    };
  }

  check(label: string, key: Key, condition: Expression, returnCurrent = false): Write {
    return { label, item: { ConditionCheck: this.onKey(key, condition, returnCurrent) } };
  }

  delete(label: string, key: Key, condition: Expression, returnCurrent = false): Write {
    return { label, item: { Delete: this.onKey(key, condition, returnCurrent) } };
  }

  /** A request on one item under a condition. */
  private onKey(key: Key, condition: Expression, returnCurrent: boolean) {
    return {
      TableName: this.name,
      Key: key,
      ConditionExpression: condition.expression,
      ...placeholders(condition),
      ...(returnCurrent ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    };
  }

  /**
   * Runs a transaction. A failed condition becomes a ConditionFailed naming the write; a conflict
   * with a concurrent transaction is retried with jittered backoff, because the other
   * transaction's outcome decides which of the conditions now hold.
   */
  async transact(writes: readonly Write[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: writes.map((write) => write.item) }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failures = reasons.flatMap((reason, i): FailedCondition[] =>
          reason.Code === 'ConditionalCheckFailed'
            ? [
                {
                  label: writes[i]?.label ?? 'unknown',
                  current: reason.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined,
                },
              ]
            : [],
        );
        const [first] = failures;
        if (first) throw new ConditionFailed(first.label, first.current, failures);
        if (!reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
        if (attempt >= RETRY_ATTEMPTS) throw new Refused('concurrent-change');
        await backoff(attempt);
      }
    }
  }

  /** One write on its own (a Write built by update/put/delete), answering whether its condition held. */
  async write(write: Write, returnItem = false): Promise<WriteOutcome> {
    const { Update, Put } = write.item;
    try {
      if (Update) {
        const output = await this.client.send(
          new UpdateCommand({ ...Update, ...(returnItem ? { ReturnValues: 'ALL_NEW' as const } : {}) }),
        );
        return { applied: true, item: output?.Attributes };
      }
      if (!Put) throw new Error(`write ${write.label}: only updates and puts are sent on their own`);
      await this.client.send(new PutCommand(Put));
      return { applied: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, current: error.Item ? (unmarshall(error.Item) as Item) : undefined };
    }
  }

  /** Whether a single conditional write applied; the item as it is is not needed. */
  async applied(write: Write): Promise<boolean> {
    return (await this.write(write)).applied;
  }

  async get(key: Key, consistent = true): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: consistent }),
    );
    return Item;
  }

  batchGet(keys: readonly Key[], consistent = true): Promise<Item[]> {
    return keys.length ? batchGetItems(this.client, this.name, keys, consistent) : Promise.resolve([]);
  }
}
