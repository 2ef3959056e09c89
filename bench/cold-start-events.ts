/** The sample events `npm run bench:cold` hands each function: one request's whole path. */
import { randomUUID } from 'node:crypto';
import { FIRST_TOKEN_VERSION, LinkTokens, parseKeyRing } from '../functions/domain/link-token';
import type { Route } from '../functions/routes';

/** The table the benchmark creates in DynamoDB Local. */
export const TABLE_NAME = 'cold-start';

/**
 * A request for the route with ids no item has: its whole path up to the table's answer (404).
 * A token route gets a link genuinely signed with `linkTokenKey` for an unknown invitation, so that
 * its request, like every other route's, passes validation and reads the table.
 */
export function apiEvent(route: Route, linkTokenKey: string) {
  const ids: Record<string, string> = {
    workspaceId: randomUUID(),
    invitationId: randomUUID(),
    userId: 'user-2',
    token: new LinkTokens(parseKeyRing(linkTokenKey)).mint(randomUUID(), FIRST_TOKEN_VERSION),
  };
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? name);
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, ids[name as string]]),
  );
  const body = ['POST', 'PUT', 'PATCH'].includes(route.method)
    ? JSON.stringify(SAMPLE_BODIES[route.handler] ?? {})
    : undefined;
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.com', 'content-type': 'application/json', 'user-agent': 'cold-start' },
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'cold',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'cold-start' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer:
        route.auth === 'jwt'
          ? {
              jwt: {
                claims: { sub: 'user-1', email: 'ada@example.com', email_verified: 'true', name: 'Ada' },
                scopes: null,
              },
            }
          : undefined,
    },
  };
}

const SAMPLE_BODIES: Record<string, unknown> = {
  'create-workspace': { name: 'Cold start' },
  'update-workspace': { name: 'Cold start' },
  'create-invitation': { email: 'grace@example.com' },
};

/** A record the sender reads and sets aside (not an invitation): its whole path without sending mail. */
export function streamEvent() {
  const keys = { PK: { S: 'WS#1' }, SK: { S: 'WORKSPACE' } };
  return streamRecords({ eventName: 'INSERT', keys, newImage: { ...keys, entity: { S: 'Workspace' } } });
}

/**
 * A workspace modification that kept the name (a settings change), which the name sync reads and
 * recognises as nothing to carry: its whole path without touching the table.
 */
export function workspaceRenameEvent() {
  const workspaceId = randomUUID();
  const keys = { PK: { S: `WS#${workspaceId}` }, SK: { S: 'WORKSPACE' } };
  const image = (lastModified: string, invitationTtlDays: string) => ({
    ...keys,
    entity: { S: 'Workspace' },
    id: { S: workspaceId },
    name: { S: 'Cold start' },
    invitationTtlDays: { N: invitationTtlDays },
    lastModified: { S: lastModified },
  });
  return streamRecords({
    eventName: 'MODIFY',
    keys,
    oldImage: image('2026-01-01T00:00:00.000Z', '7'),
    newImage: image('2026-01-02T00:00:00.000Z', '14'),
  });
}

/**
 * A bounce of an email that carries no invitation tag, as SES publishes it to EventBridge, which
 * the feedback recorder reads and sets aside: its whole path without touching the table.
 */
export function sesFeedbackEvent() {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/cold-start'],
    detail: {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: new Date().toISOString() },
      mail: {
        timestamp: new Date().toISOString(),
        messageId: randomUUID(),
        tags: { 'ses:configuration-set': ['cold-start'] },
      },
    },
  };
}

function streamRecords(change: {
  eventName: 'INSERT' | 'MODIFY';
  keys: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  newImage: Record<string, unknown>;
}) {
  return {
    Records: [
      {
        eventID: '1',
        eventName: change.eventName,
        eventSource: 'aws:dynamodb',
        eventSourceARN: `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE_NAME}/stream/2026-01-01T00:00:00.000`,
        dynamodb: {
          Keys: change.keys,
          ...(change.oldImage ? { OldImage: change.oldImage } : {}),
          NewImage: change.newImage,
          SequenceNumber: '1',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}
