/**
 * Connects the stream poller to the email handler, its filter patterns (the same ones the CDK
 * event-source mapping uses) and the conversion of Streams API records to Lambda's record shape.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamHandler } from './stream-poller';

export interface StreamWiring {
  /** The handler's name, as in functions/<name>.ts. */
  name: string;
  handler: StreamHandler;
  toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord;
  accepts(record: DynamoDBRecord): boolean;
}

const HANDLER = 'send-invitation-emails';

/**
 * The email handler's wiring, or undefined when the handler is not in this checkout. Imported
 * only once the environment is set, since the handler reads its configuration at import.
 */
export async function loadStreamWiring(): Promise<StreamWiring | undefined> {
  const handlerUrl = new URL(`../functions/${HANDLER}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(handlerUrl))) return undefined;
  const [{ handler }, { invitationEmailFilterPatterns, matchesFilterPatterns }, { toLambdaStreamRecord }] =
    await Promise.all([
      import(handlerUrl.href) as Promise<{ handler: StreamHandler }>,
      import('../functions/stream/filters'),
      import('../functions/stream/records'),
    ]);
  return {
    name: HANDLER,
    handler,
    toLambdaRecord: toLambdaStreamRecord,
    accepts: (record) => matchesFilterPatterns(record, invitationEmailFilterPatterns),
  };
}
