/**
 * DynamoDB Streams API records (what @aws-sdk/client-dynamodb-streams GetRecords returns) in the
 * shape Lambda's event-source mapping delivers them, so the local stream poller and the tests
 * feed the stream handler exactly what it receives in AWS. The differences: the event carries
 * `eventSourceARN`; `ApproximateCreationDateTime` is epoch seconds, not a Date; binary values are
 * base64 strings, not bytes; `userIdentity` uses lower-case keys.
 */
import type {
  AttributeValue as StreamsAttributeValue,
  _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue, StreamRecord } from 'aws-lambda';

export function toLambdaStreamRecord(record: StreamsRecord, eventSourceARN: string): DynamoDBRecord {
  const stream = record.dynamodb;
  const dynamodb: StreamRecord | undefined = stream && {
    ...(stream.ApproximateCreationDateTime
      ? { ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000) }
      : {}),
    ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
    ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
    ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
    SequenceNumber: stream.SequenceNumber,
    SizeBytes: stream.SizeBytes,
    StreamViewType: stream.StreamViewType,
  };
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb,
    eventSourceARN,
    ...(record.userIdentity
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  };
}

export function toLambdaImage(image: Record<string, StreamsAttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: StreamsAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new Error(`Unknown DynamoDB attribute value type: ${Object.keys(value).join(', ')}`);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
