import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/store/keys';
import { toLambdaStreamRecord } from '../../../functions/stream/records';
import { attributeKey } from '../../support/attribute-key';

const key = attributeKey(keys.invitation('1'));

const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/invitations/stream/2026-11-22T04:00:00.000';

describe('a Streams API record in the Lambda event shape', () => {
  it('adds the source ARN, turns the Date into epoch seconds and bytes into base64, at every depth', () => {
    const record: _Record = {
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-22T04:05:06.789Z'),
        Keys: key,
        NewImage: {
          ...key,
          n: { N: '42' },
          ok: { BOOL: false },
          none: { NULL: true },
          blob: { B: new Uint8Array([1, 2, 255]) },
          blobs: { BS: [new Uint8Array([0]), new Uint8Array([104, 105])] },
          names: { SS: ['a', 'b'] },
          numbers: { NS: ['1', '2'] },
          list: { L: [{ S: 'x' }, { M: { inner: { B: new Uint8Array([7]) } } }] },
          map: { M: { status: { S: 'QUEUED' }, sendNumber: { N: '1' } } },
        },
        OldImage: key,
        SequenceNumber: '000000000000000000001',
        SizeBytes: 123,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' },
    };
    expect(toLambdaStreamRecord(record, arn)).toEqual({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      eventSourceARN: arn,
      dynamodb: {
        ApproximateCreationDateTime: 1795320306,
        Keys: key,
        NewImage: {
          ...key,
          n: { N: '42' },
          ok: { BOOL: false },
          none: { NULL: true },
          blob: { B: 'AQL/' },
          blobs: { BS: ['AA==', 'aGk='] },
          names: { SS: ['a', 'b'] },
          numbers: { NS: ['1', '2'] },
          list: { L: [{ S: 'x' }, { M: { inner: { B: 'Bw==' } } }] },
          map: { M: { status: { S: 'QUEUED' }, sendNumber: { N: '1' } } },
        },
        OldImage: key,
        SequenceNumber: '000000000000000000001',
        SizeBytes: 123,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
  });

  it('keeps a REMOVE record without a new image, and fills in the event source', () => {
    const converted = toLambdaStreamRecord(
      { eventID: 'e2', eventName: 'REMOVE', dynamodb: { Keys: { PK: { S: 'x' } }, SequenceNumber: '2' } },
      arn,
    );
    expect(converted).toEqual({
      eventID: 'e2',
      eventName: 'REMOVE',
      eventVersion: undefined,
      eventSource: 'aws:dynamodb',
      awsRegion: undefined,
      eventSourceARN: arn,
      dynamodb: { Keys: { PK: { S: 'x' } }, SequenceNumber: '2', SizeBytes: undefined, StreamViewType: undefined },
    });
  });
});
