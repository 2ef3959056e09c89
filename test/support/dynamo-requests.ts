import { afterAll, beforeAll } from 'vitest';
import { dynamo } from '../../functions/store/client';

/**
 * Records the requests the store's DynamoDB client sends while this test file runs (a middleware
 * on the client itself), one entry per round trip: requests sent while another is still in
 * flight share an entry, their names sorted and joined with " + ". The returned list is live:
 * clear it with `length = 0` between operations.
 */
export function recordDynamoCommands(): string[] {
  const roundTrips: string[] = [];
  const name = 'recordDynamoCommands';
  let inFlight = 0;
  let roundTrip: string[] = [];
  beforeAll(() => {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (inFlight === 0 || roundTrips.length === 0) {
          roundTrip = [];
          roundTrips.push('');
        }
        roundTrip.push(context.commandName ?? 'unknown');
        roundTrips[roundTrips.length - 1] = [...roundTrip].sort().join(' + ');
        inFlight += 1;
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name },
    );
  });
  afterAll(() => {
    dynamo.middlewareStack.remove(name);
  });
  return roundTrips;
}
