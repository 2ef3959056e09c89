/**
 * Holds every handler a test invokes to its declaration (functions/access.ts), the way the local
 * runner does, and records what each one actually asked DynamoDB for. Installed on the
 * functions' own client once per test file, on first use (the client reads its configuration
 * at import, after test/support/env.ts has set it).
 */
import type { TableGrant } from '../../functions/access';
import { DeclaredAccess, type NeededGrant } from '../../local/declared-access';

export interface AccessRecord {
  /** Per handler, every grant its requests needed (on the bus as `events:<action>`). */
  readonly used: Map<string, Set<TableGrant | string>>;
  /** Requests that went beyond their handler's declaration. */
  readonly denied: { handler: string; needed: NeededGrant[] }[];
}

export const accessRecord: AccessRecord = { used: new Map(), denied: [] };

let installed: Promise<DeclaredAccess> | undefined;

export function declaredAccess(): Promise<DeclaredAccess> {
  installed ??= (async () => {
    const { dynamo, tableName } = await import('../../functions/store/client');
    const access = new DeclaredAccess({
      tableName,
      busName: process.env.EVENT_BUS_NAME,
      onRequest: (handler, needed, allowed) => {
        const used = accessRecord.used.get(handler) ?? new Set();
        for (const want of needed) used.add('bus' in want ? `events:${want.grant}` : want.grant);
        accessRecord.used.set(handler, used);
        if (!allowed) accessRecord.denied.push({ handler, needed });
      },
    });
    access.install(dynamo);
    return access;
  })();
  return installed;
}

/** Runs `work` as the named handler. */
export async function runAs<T>(handler: string, work: () => Promise<T>): Promise<T> {
  return (await declaredAccess()).run(handler, work);
}

let eventsInstalled: Promise<void> | undefined;

/**
 * Holds the functions' EventBridge client to the declarations too. Called once the test's bus
 * has set EVENTS_ENDPOINT, which the client reads when it is first imported.
 */
export function declaredEventsAccess(): Promise<void> {
  eventsInstalled ??= (async () => {
    const access = await declaredAccess();
    const { eventBridge } = await import('../../functions/events/client');
    access.install(eventBridge);
  })();
  return eventsInstalled;
}
