import type { TestProject } from 'vitest/node';
import { ensureTable, freePort, localDynamoClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { chromiumPath, NO_CHROMIUM } from './chromium';

export const TEST_TABLE = 'invitations-test';

/** One DynamoDB Local for the whole run, on a free port, stopped afterwards. */
export default async function setup(project: TestProject) {
  if (!chromiumPath()) console.log(`\n${NO_CHROMIUM}\n`);
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  await ensureTable(client, TEST_TABLE);
  client.destroy();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
