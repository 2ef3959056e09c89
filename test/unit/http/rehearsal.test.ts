/**
 * The init-phase rehearsal of the HTTP wrapper: building a handler sends one request through its
 * middlewares and validation, which never reaches the operation, logs nothing at INFO and leaves
 * the first real request logged as the cold start.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Operation } from '../../../functions/http/operation';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const context = {
  awsRequestId: 'request-1',
  functionName: 'get-invitation',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:get-invitation',
  memoryLimitInMB: '1024',
} as Context;

/** Lets the rehearsal, which is not awaited, run to its end. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the rehearsal while a handler is built', () => {
  it('never reaches the operation of any route, and logs nothing at INFO', async () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { routes } = await import('../../../functions/routes');
    const { httpHandler } = await import('../../../functions/http/wrapper');
    const operation = vi.fn(async () => ({ status: 200 }));
    for (const route of routes) httpHandler(route as Operation, operation);
    await settled();
    written.mockRestore();
    expect(operation).not.toHaveBeenCalled();
    expect(written).not.toHaveBeenCalled();
  });

  it("validates with the route's schemas during init, before any request", async () => {
    const { getInvitation } = await import('../../../functions/routes');
    const { httpHandler } = await import('../../../functions/http/wrapper');
    const parse = vi.spyOn(getInvitation.request.params, 'safeParse');
    httpHandler(getInvitation, async () => ({ status: 200 }));
    await settled();
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('leaves the first real request logged as the cold start', async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const { getInvitation } = await import('../../../functions/routes');
    const { httpHandler } = await import('../../../functions/http/wrapper');
    const handler = httpHandler(getInvitation, async () => ({ status: 200 }));
    await settled();
    const event = {
      version: '2.0',
      rawPath: '/api/invitations/not-a-uuid',
      headers: {},
      pathParameters: { invitationId: 'not-a-uuid' },
      requestContext: {
        domainName: 'api.example.com',
        http: { method: 'GET', path: '/api/invitations/not-a-uuid' },
        authorizer: { jwt: { claims: { sub: 'user-1' }, scopes: null } },
      },
    } as unknown as Event;
    expect((await handler(event, context)).statusCode).toBe(400);
    expect((await handler(event, context)).statusCode).toBe(400);
    const rejected = lines
      .map((line) => JSON.parse(line) as { message: string; cold_start?: boolean; function_request_id?: string })
      .filter((line) => line.function_request_id === 'request-1');
    expect(rejected.map((line) => [line.message, line.cold_start])).toEqual([
      ['Request rejected', true],
      ['Request rejected', false],
    ]);
  });
});
