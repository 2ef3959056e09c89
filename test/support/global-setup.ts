import type { TestProject } from 'vitest/node';
import {
  ensureTable,
  freePort,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';

export const TEST_TABLE = 'invitations-test';

interface Shared {
  started: Promise<RunningDynamo>;
  projects: number;
}

// Vitest loads this file once per project that lists it, all in its main process: the instance
// lives on globalThis so that those projects share one DynamoDB Local.
const SHARED = Symbol.for('invitations-test.dynamodb-local');
const holder = globalThis as { [SHARED]?: Shared };

async function start(): Promise<RunningDynamo> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    await ensureTable(client, TEST_TABLE);
    return dynamo;
  } catch (error) {
    await dynamo.stop();
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * One DynamoDB Local for the whole run, on a free port, stopped after the last project using it.
 * A failure to start throws, which fails the run before any of those projects' tests.
 */
export default async function setup(project: TestProject) {
  holder[SHARED] ??= { started: start(), projects: 0 };
  const shared = holder[SHARED];
  const dynamo = await shared.started.catch((error: unknown) => {
    throw new Error(`DynamoDB Local did not start, so project "${project.name}" cannot run: ${error}`, {
      cause: error,
    });
  });
  shared.projects += 1;
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    shared.projects -= 1;
    if (shared.projects > 0) return;
    delete holder[SHARED];
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint?: string;
  }
}
