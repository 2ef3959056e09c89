/**
 * Connects one stream poller per consumer of the table stream to its handler, its filter patterns
 * (the same ones its CDK event-source mapping uses) and the conversion of Streams API records to
 * Lambda's record shape.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  type FilterPattern,
  invitationEmailFilterPatterns,
  matchesFilterPatterns,
  workspaceRenameFilterPatterns,
} from '../functions/stream/filters';
import { toLambdaStreamRecord } from '../functions/stream/records';
import type { StreamHandler } from './stream-poller';

export interface StreamWiring {
  /** The handler's name, as in functions/<name>.ts. */
  name: string;
  handler: StreamHandler;
  toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord;
  accepts(record: DynamoDBRecord): boolean;
}

export interface StreamConsumer {
  /** The handler's name, as in functions/<name>.ts. */
  name: string;
  filterPatterns: readonly FilterPattern[];
  /** Said at start when this checkout has no such handler. */
  whenAbsent: string;
}

/** Every consumer of the table stream; in AWS each has its own event-source mapping. */
export const STREAM_CONSUMERS: readonly StreamConsumer[] = [
  {
    name: 'send-invitation-emails',
    filterPatterns: invitationEmailFilterPatterns,
    whenAbsent: 'Email delivery is off: this checkout has no stream handler for invitation emails.',
  },
  {
    name: 'sync-workspace-names',
    filterPatterns: workspaceRenameFilterPatterns,
    whenAbsent:
      "Workspace renames do not reach invitations, and departed members' invitations stay pending: this checkout has no stream handler for them.",
  },
];

/**
 * The wiring of every consumer whose handler is in this checkout, in the order of `consumers`,
 * and the consumers left out because their handler is not. Handlers are imported only once the
 * environment is set, since they read their configuration at import.
 */
export async function loadStreamWiring(
  consumers: readonly StreamConsumer[] = STREAM_CONSUMERS,
): Promise<{ wired: StreamWiring[]; absent: StreamConsumer[] }> {
  const present = consumers.filter((consumer) => existsSync(fileURLToPath(handlerUrl(consumer.name))));
  const wired = await Promise.all(
    present.map(async ({ name, filterPatterns }): Promise<StreamWiring> => {
      const { handler } = (await import(handlerUrl(name).href)) as { handler: StreamHandler };
      return {
        name,
        handler,
        toLambdaRecord: toLambdaStreamRecord,
        accepts: (record) => matchesFilterPatterns(record, filterPatterns),
      };
    }),
  );
  return { wired, absent: consumers.filter((consumer) => !present.includes(consumer)) };
}

function handlerUrl(name: string): URL {
  return new URL(`../functions/${name}.ts`, import.meta.url);
}
