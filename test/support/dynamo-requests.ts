import { afterAll, beforeAll } from 'vitest';
import { dynamo } from '../../functions/store/client';

export interface RecordedCommands {
  /** The commands' names, in the order they were sent. */
  readonly names: string[];
  /**
   * Sequential round trips: the longest chain of requests in which each was sent after the one
   * before it had answered. Requests sent side by side count once.
   */
  roundTrips(): number;
  clear(): void;
}

/**
 * Records every request the store's DynamoDB client sends while this test file runs (a
 * middleware on the client itself), with when it was sent and when it was answered.
 */
export function recordDynamoCommands(): RecordedCommands {
  const requests: { name: string; sent: number; answered: number }[] = [];
  const names: string[] = [];
  const name = 'recordDynamoCommands';
  beforeAll(() => {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const request = { name: context.commandName ?? 'unknown', sent: performance.now(), answered: Infinity };
        requests.push(request);
        names.push(request.name);
        try {
          return await next(args);
        } finally {
          request.answered = performance.now();
        }
      },
      { step: 'initialize', name },
    );
  });
  afterAll(() => {
    dynamo.middlewareStack.remove(name);
  });
  return {
    names,
    roundTrips() {
      // Requests are recorded in the order they were sent, so every possible predecessor comes first.
      const chain: number[] = [];
      requests.forEach((request, i) => {
        const before = requests
          .slice(0, i)
          .flatMap((other, j) => (other.answered <= request.sent ? [chain[j] ?? 0] : []));
        chain.push(1 + Math.max(0, ...before));
      });
      return Math.max(0, ...chain);
    },
    clear() {
      requests.length = 0;
      names.length = 0;
    },
  };
}
