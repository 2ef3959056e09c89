/**
 * IAM for one process: every DynamoDB and EventBridge request a handler sends is translated into
 * the grants it needs, as IAM would evaluate it, and refused with an AccessDeniedException when
 * the handler's declaration (functions/access.ts) does not cover them: table actions on the one
 * table, events:PutEvents on the service's bus. The local runner installs it on the functions'
 * clients, so a handler that does more than it declares fails locally the way it would fail
 * deployed; tests install it to record what each handler actually does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type EventsAction, type FunctionNeeds, type TableGrant, tableGrantsOf } from '../functions/access';
import { consumers } from '../functions/consumers';
import { type Route, routes } from '../functions/routes';
import { type IndexName, TABLE } from '../functions/store/table-definition';

/** A grant a request needs, and the table or the event bus it is needed on. */
export type NeededGrant = { table: string; grant: TableGrant | string } | { bus: string; grant: EventsAction | string };

/** A client of the AWS SDK: its middleware stack is where each request is checked. */
interface SdkClient {
  middlewareStack: {
    add(middleware: never, options: { step: 'initialize'; name: string }): void;
    remove(name: string): boolean;
  };
}

const INDEX_BY_NAME = new Map(
  Object.entries(TABLE.indexes).map(([logical, index]) => [index.name as string, logical as IndexName]),
);

const TRANSACT_ITEM_ACTIONS = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
} as const;

/**
 * The grants one request needs. `command` is the SDK's command name (`QueryCommand`); a command
 * this service never sends maps to its own action name, which no declaration can hold.
 */
export function grantsNeededBy(command: string, input: Record<string, unknown>): NeededGrant[] {
  const action = command.replace(/Command$/, '');
  const table = (input.TableName as string | undefined) ?? '';
  switch (action) {
    case 'Query': {
      const index = input.IndexName as string | undefined;
      if (index === undefined) return [{ table, grant: 'Query' }];
      const logical = INDEX_BY_NAME.get(index);
      return [{ table, grant: logical ? `Query@${logical}` : `Query@${index}` }];
    }
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ table, grant: action }];
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((input.RequestItems as Record<string, unknown>) ?? {}).map((name) => ({
        table: name,
        grant: action,
      }));
    case 'TransactWriteItems':
      return ((input.TransactItems as Record<string, { TableName?: string }>[]) ?? []).flatMap((item) =>
        Object.entries(TRANSACT_ITEM_ACTIONS).flatMap(([kind, grant]) =>
          item[kind] ? [{ table: item[kind].TableName ?? '', grant }] : [],
        ),
      );
    case 'PutEvents': {
      // Each entry is authorized on the bus it names; without one, the account's default bus.
      const entries = (input.Entries as { EventBusName?: string }[] | undefined) ?? [];
      const buses = new Set(entries.map((entry) => entry.EventBusName ?? 'default'));
      return [...buses].map((bus) => ({ bus, grant: 'PutEvents' }));
    }
    case 'TransactGetItems':
      return ((input.TransactItems as { Get?: { TableName?: string } }[]) ?? []).map((item) => ({
        table: item.Get?.TableName ?? '',
        grant: 'GetItem',
      }));
    default:
      return [{ table, grant: action }];
  }
}

/** Every function's declaration, by handler name: the routes and the stream and event consumers. */
export function declaredNeeds(): Map<string, FunctionNeeds> {
  return new Map<string, FunctionNeeds>([
    ...(routes as readonly Route[]).map((route): [string, FunctionNeeds] => [route.handler, route]),
    ...consumers.map((consumer): [string, FunctionNeeds] => [consumer.handler, consumer]),
  ]);
}

export class AccessDenied extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

export interface DeclaredAccessOptions {
  /** The one table handlers may use. */
  tableName: string;
  /** The one event bus handlers may publish on, when there is one. */
  busName?: string;
  needs?: Map<string, FunctionNeeds>;
  /** Called with every request a handler sent (allowed or not). */
  onRequest?: (handler: string, needed: NeededGrant[], allowed: boolean) => void;
}

/**
 * Holds which handler is running, across its awaits, and checks each request of the client
 * against that handler's declaration. Requests sent outside any handler (fixtures, the runner's
 * own bookkeeping) pass unchecked.
 */
export class DeclaredAccess {
  private readonly current = new AsyncLocalStorage<string>();
  private readonly needs: Map<string, FunctionNeeds>;
  private readonly middlewareName = `declaredAccess-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly options: DeclaredAccessOptions) {
    this.needs = options.needs ?? declaredNeeds();
  }

  /** Runs `work` as `handler`: its DynamoDB requests must stay within that handler's declaration. */
  run<T>(handler: string, work: () => T): T {
    return this.current.run(handler, work);
  }

  /** Wraps a handler function so that every invocation runs as `handler`. */
  wrap<A extends unknown[], R>(handler: string, fn: (...args: A) => R): (...args: A) => R {
    return (...args: A) => this.run(handler, () => fn(...args));
  }

  /** Checks every request of `client` (the DynamoDB document client, the EventBridge client); returns its removal. */
  install(client: SdkClient): () => void {
    const check =
      (next: (args: { input: object }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: object }) => {
        const handler = this.current.getStore();
        if (handler !== undefined) {
          const needed = grantsNeededBy(context.commandName ?? 'unknown', args.input as Record<string, unknown>);
          const denied = this.deniedOf(handler, needed);
          this.options.onRequest?.(handler, needed, denied.length === 0);
          if (denied.length > 0) {
            throw new AccessDenied(
              `${handler} is not authorized to perform: ${denied.map(describeGrant).join(', ')} (not in its declaration)`,
            );
          }
        }
        return next(args);
      };
    client.middlewareStack.add(check as never, { step: 'initialize', name: this.middlewareName });
    return () => {
      client.middlewareStack.remove(this.middlewareName);
    };
  }

  private deniedOf(handler: string, needed: NeededGrant[]): NeededGrant[] {
    const needs = this.needs.get(handler);
    const allowedOnTable = new Set<string>(tableGrantsOf(needs?.table));
    const allowedOnBus = new Set<string>(needs?.events ?? []);
    return needed.filter((want) =>
      'bus' in want
        ? this.options.busName === undefined || want.bus !== this.options.busName || !allowedOnBus.has(want.grant)
        : want.table !== this.options.tableName || !allowedOnTable.has(want.grant),
    );
  }
}

function describeGrant(want: NeededGrant): string {
  return 'bus' in want ? `events:${want.grant} on event bus ${want.bus}` : `dynamodb:${want.grant} on ${want.table}`;
}
