import { afterAll, beforeAll } from 'vitest';
import { dynamo } from '../../functions/store/client';

/**
 * Records the name of every command the store's DynamoDB client sends while this test file runs
 * (a middleware on the client itself). The returned list is live: clear it with `length = 0`.
 */
export function recordDynamoCommands(): string[] {
  const commands: string[] = [];
  const name = 'recordDynamoCommands';
  beforeAll(() => {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name },
    );
  });
  afterAll(() => {
    dynamo.middlewareStack.remove(name);
  });
  return commands;
}
