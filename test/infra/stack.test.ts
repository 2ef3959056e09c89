/**
 * The production stack with the default parameters (Cognito fallback, address identity), bundled
 * as `cdk deploy` bundles it: every property the service's safety rests on.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionNeeds, tableGrantsOf } from '../../functions/access';
import {
  EMAIL_FEEDBACK,
  EMAIL_SENDER,
  EVENT_PUBLISHER,
  EXPIRY_SWEEP,
  WORKSPACE_NAME_SYNC,
} from '../../functions/consumers';
import { STORED_STATUSES } from '../../functions/domain/invitation';
import { emailFeedbackEventPattern } from '../../functions/email/feedback';
import { type Route, routes } from '../../functions/routes';
import { TABLE } from '../../functions/store/table-definition';
import { invitationEmailFilterPatterns, serviceEventFilterPatterns } from '../../functions/stream/filters';
import type { InvitationsStack } from '../../lib/invitations-stack';
import type { ServiceFunction } from '../../lib/service-function';
import { actionsOf, EXAMPLE_PARAMETERS, logicalId, statementsOf, synthesize } from './synth';

const allRoutes: readonly Route[] = routes;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];
const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

let stack: InvitationsStack;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  ({ stack, template, assemblyDir } = synthesize(EXAMPLE_PARAMETERS, { bundle: true }));
}, 120_000);

/** Every function the stack deploys: the API's, the stream consumers, then the EventBridge consumer. */
const allFunctions = () => [...stack.api.functions, ...streamFunctions(), ...eventFunctions(), ...scheduledFunctions()];
const streamFunctions = () => [stack.email.sender, stack.events.publisher];
const eventFunctions = () => [stack.feedback.handler, stack.events.nameSync];
const scheduledFunctions = () => [stack.sweep.handler, stack.expirySweep.handler];
const ref = (construct: IConstruct) => ({ Ref: Stack.of(stack).getLogicalId(construct.node.defaultChild as never) });
const arnOf = (construct: IConstruct, attribute = 'Arn') => ({
  'Fn::GetAtt': [Stack.of(stack).getLogicalId(construct.node.defaultChild as never), attribute],
});

/** Every function with the declaration it was built from: its route entry or its consumer entry. */
const declaredFunctions = (): [lambda.Function & { handlerName: string }, FunctionNeeds][] => [
  ...allRoutes.map((route): [ServiceFunction, FunctionNeeds] => [functionOf(route), route]),
  [stack.email.sender, EMAIL_SENDER],
  [stack.events.publisher, EVENT_PUBLISHER],
  [stack.events.nameSync, WORKSPACE_NAME_SYNC],
  [stack.feedback.handler, EMAIL_FEEDBACK],
  [stack.expirySweep.handler, EXPIRY_SWEEP],
];

/**
 * The table grants the statements amount to, in the declaration's terms: an action on the table,
 * or `Query@<index>` for Query on an index. The stream's own actions are the mapping's, not the code's.
 */
function tableGrantsIn(statements: ReturnType<typeof statementsOf>): string[] {
  const tableArn = JSON.stringify(arnOf(stack.table.table));
  const indexByArn = new Map(
    Object.entries(TABLE.indexes).map(([logical, index]) => [
      JSON.stringify({ 'Fn::Join': ['', [arnOf(stack.table.table), `/index/${index.name}`]] }),
      logical,
    ]),
  );
  const grants = statements.flatMap((statement) => {
    const actions = actionsOf([statement]).filter((a) => a.startsWith('dynamodb:') && !STREAM_READ_ACTIONS.includes(a));
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return resources.flatMap((resource) => {
      const key = JSON.stringify(resource);
      if (key === tableArn) return actions.map((action) => action.replace('dynamodb:', ''));
      const index = indexByArn.get(key);
      if (index) return actions.map((action) => `${action.replace('dynamodb:', '')}@${index}`);
      return actions.length ? actions.map((action) => `${action} on ${key}`) : [];
    });
  });
  return [...new Set(grants)].sort();
}

/**
 * What hasResourceProperties checks, on one function's own resource: it passes only if that
 * function matches, and a failure names the function and what differs.
 */
function expectFunctionProperties(fn: ServiceFunction | lambda.Function, pattern: Record<string, unknown>) {
  const properties = template.toJSON().Resources[logicalId(fn)].Properties;
  const result = Match.objectLike(pattern).test(properties);
  expect(result.isSuccess ? 'matches' : result.renderMismatch(), `function ${functionName(fn)}`).toBe('matches');
}

const functionName = (fn: ServiceFunction | lambda.Function) =>
  'handlerName' in fn ? String(fn.handlerName) : logicalId(fn);

/** Runs a CDK assertion about one item; its failure says which item. */
function about(item: string, assertion: () => void) {
  try {
    assertion();
  } catch (error) {
    throw new Error(`${item}: ${(error as Error).message}`, { cause: error });
  }
}

function functionOf(route: Route) {
  const fn = stack.api.functions.find((candidate) => candidate.handlerName === route.handler);
  if (!fn) throw new Error(`no function for ${route.handler}`);
  return fn;
}

describe('functions', () => {
  it('has one function per route plus the two stream readers, the two event consumers and the two sweeps', () => {
    template.resourceCountIs('AWS::Lambda::Function', allRoutes.length + 6);
    expect(stack.api.functions.map((fn) => fn.handlerName).sort()).toEqual(allRoutes.map((r) => r.handler).sort());
    expect([...streamFunctions(), ...eventFunctions(), ...scheduledFunctions()].map((fn) => fn.handlerName)).toEqual([
      'send-invitation-emails',
      'publish-events',
      'record-email-feedback',
      'sync-workspace-names',
      'sweep-invitation-emails',
      'sweep-expired-invitations',
    ]);
  });

  it('runs every function on Node.js 24, arm64, as an ES module bundle with its own log group and JSON logs', () => {
    for (const fn of allFunctions()) {
      expectFunctionProperties(fn, {
        FunctionName: Match.absent(),
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('Logs') } }),
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'invitations',
            POWERTOOLS_METRICS_NAMESPACE: 'Invitations',
            // Source maps are applied when an error is logged, not decoded at every cold start.
            NODE_OPTIONS: Match.absent(),
          }),
        },
      });
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('sizes API functions for fast cold starts, stream functions for batches and the event function for one write', () => {
    const resources = template.toJSON().Resources;
    const sized = (fn: lambda.Function, size: { MemorySize: number; Timeout: number }) =>
      expect(resources[logicalId(fn)].Properties, `function ${functionName(fn)}`).toMatchObject(size);
    for (const fn of stack.api.functions) sized(fn, { MemorySize: 1024, Timeout: 10 });
    for (const fn of streamFunctions()) sized(fn, { MemorySize: 512, Timeout: 60 });
    for (const fn of eventFunctions()) sized(fn, { MemorySize: 256, Timeout: 10 });
    // The sweep reads and queues up to a few hundred sends a run, like a stream batch.
    for (const fn of scheduledFunctions()) sized(fn, { MemorySize: 512, Timeout: 60 });
  });

  it('ships every API bundle minified at 350 KB or less, with a source map', () => {
    const resources = template.toJSON().Resources;
    for (const fn of stack.api.functions) {
      const key: string = resources[logicalId(fn)].Properties.Code.S3Key;
      const dir = join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
      const size = statSync(join(dir, 'index.mjs')).size;
      expect({ handler: fn.handlerName, tooBig: size > 350 * 1024 }).toEqual({
        handler: fn.handlerName,
        tooBig: false,
      });
      expect(statSync(join(dir, 'index.mjs.map')).isFile(), `source map of ${fn.handlerName}`).toBe(true);
    }
  });

  it('gives each function TABLE_NAME, CURSOR_SECRET and the link-key ARN only as declared, the cursor key resolved at deploy time', () => {
    const cursorSecretId = Stack.of(stack).getLogicalId(stack.secrets.cursorSecret.node.defaultChild as never);
    const resources = template.toJSON().Resources;
    for (const [fn, needs] of declaredFunctions()) {
      const variables = resources[logicalId(fn)].Properties.Environment.Variables;
      const secrets = needs.secrets ?? [];
      expect({
        handler: fn.handlerName,
        TABLE_NAME: variables.TABLE_NAME,
        CURSOR_SECRET: variables.CURSOR_SECRET,
        TOKEN_KEY_SECRET_ARN: variables.TOKEN_KEY_SECRET_ARN,
        DYNAMODB_PRIME: variables.DYNAMODB_PRIME,
        DYNAMODB_PRIME_CONNECTIONS: variables.DYNAMODB_PRIME_CONNECTIONS,
      }).toEqual({
        handler: fn.handlerName,
        TABLE_NAME: needs.table ? ref(stack.table.table) : undefined,
        // Primed with the reads it is granted anyway; a function that only writes is not primed.
        DYNAMODB_PRIME: primedWith(needs),
        // As many at once as one of its requests sends, when more than its kinds of read.
        DYNAMODB_PRIME_CONNECTIONS: (needs.table?.atOnce ?? 1) > 1 ? String(needs.table?.atOnce) : undefined,
        CURSOR_SECRET: secrets.includes('cursorKey')
          ? { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: cursorSecretId }, ':SecretString:::}}']] }
          : undefined,
        TOKEN_KEY_SECRET_ARN: secrets.includes('linkTokenKey') ? ref(stack.secrets.linkTokenKey) : undefined,
      });
    }
    // The four list routes, no more: the other functions never page.
    expect(declaredFunctions().filter(([, needs]) => needs.secrets?.includes('cursorKey'))).toHaveLength(4);
    // The two invitation lists read every stored status's key range at once, the workspace's beside a membership.
    expect(
      declaredFunctions().flatMap(([fn, needs]) => (needs.table?.atOnce ? [[fn.handlerName, needs.table.atOnce]] : [])),
    ).toEqual([
      ['list-invitations', STORED_STATUSES.length],
      ['list-workspace-invitations', STORED_STATUSES.length + 1],
    ]);
  });
});

describe('per-function permissions', () => {
  it('grants each function exactly the table actions and indexes it declares, nothing by kind of route', () => {
    for (const [fn, needs] of declaredFunctions()) {
      expect({ handler: fn.handlerName, grants: tableGrantsIn(statementsOf(template, fn)) }).toEqual({
        handler: fn.handlerName,
        grants: tableGrantsOf(needs.table),
      });
    }
  });

  it('gives a read route no write action, and get-invitation only GetItem and BatchGetItem', () => {
    for (const route of allRoutes.filter((candidate) => candidate.method === 'GET')) {
      const actions = actionsOf(statementsOf(template, functionOf(route)));
      expect({ route: route.handler, writes: actions.filter((a) => WRITE_ACTIONS.includes(a)) }).toEqual({
        route: route.handler,
        writes: [],
      });
    }
    const getInvitation = allRoutes.find((route) => route.handler === 'get-invitation') as Route;
    expect(tableGrantsIn(statementsOf(template, functionOf(getInvitation)))).toEqual(['BatchGetItem', 'GetItem']);
  });

  it('lets no write route query an index, and only the three that recount a workspace query its partition', () => {
    const querying = allRoutes
      .filter((candidate) => candidate.method !== 'GET')
      .flatMap((route) => {
        const queries = tableGrantsIn(statementsOf(template, functionOf(route))).filter((g) => g.startsWith('Query'));
        return queries.length ? [[route.handler, queries]] : [];
      });
    expect(Object.fromEntries(querying)).toEqual({
      'create-invitation': ['Query'],
      'accept-invitation': ['Query'],
      'accept-invitation-token': ['Query'],
    });
  });

  it('grants no wildcard action and no * resource except what DynamoDB streams require', () => {
    for (const fn of allFunctions()) {
      const subject = `function ${functionName(fn)}`;
      for (const statement of statementsOf(template, fn)) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        for (const action of actions) expect(action, subject).not.toMatch(/\*/);
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        if (resources.includes('*')) expect(actions, subject).toEqual(['dynamodb:ListStreams']);
        expect(JSON.stringify(resources), subject).not.toContain('/index/*');
      }
    }
  });

  it('queries indexes by name', () => {
    const route = allRoutes.find((candidate) => candidate.handler === 'list-invitations') as Route;
    const query = statementsOf(template, functionOf(route)).find(
      (statement) => statement.Action === 'dynamodb:Query',
    ) as { Resource: unknown[] };
    expect(query.Resource).toEqual([
      { 'Fn::Join': ['', [arnOf(stack.table.table), `/index/${TABLE.indexes.byEmail.name}`]] },
      { 'Fn::Join': ['', [arnOf(stack.table.table), `/index/${TABLE.indexes.byUser.name}`]] },
    ]);
  });

  it('lets only the functions that declare the link-token key read it', () => {
    const keyId = Stack.of(stack).getLogicalId(stack.secrets.linkTokenKey.node.defaultChild as never);
    const readers = allFunctions().filter((fn) =>
      statementsOf(template, fn).some(
        (statement) =>
          actionsOf([statement]).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(statement.Resource) === JSON.stringify({ Ref: keyId }),
      ),
    );
    const expected = declaredFunctions()
      .filter(([, needs]) => needs.secrets?.includes('linkTokenKey'))
      .map(([fn]) => fn.handlerName);
    expect(expected.sort()).toEqual(['accept-invitation-token', 'preview-invitation-token', 'send-invitation-emails']);
    expect(readers.map((fn) => fn.handlerName).sort()).toEqual(expected.sort());
    const resources = template.toJSON().Resources;
    for (const fn of stack.api.functions) {
      const hasKey = 'TOKEN_KEY_SECRET_ARN' in resources[logicalId(fn)].Properties.Environment.Variables;
      expect({ handler: fn.handlerName, hasKey }).toEqual({
        handler: fn.handlerName,
        hasKey: expected.includes(fn.handlerName),
      });
    }
  });

  it('lets only the sender send email, from the sender address, through the identity and configuration set', () => {
    const senders = allFunctions().filter((fn) =>
      actionsOf(statementsOf(template, fn)).some((action) => action.startsWith('ses:')),
    );
    expect(senders).toEqual([stack.email.sender]);
    const ses = statementsOf(template, stack.email.sender).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('ses:')),
    );
    const arn = (resource: string, construct: IConstruct) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:ses:eu-west-1:123456789012:${resource}/`,
          { Ref: Stack.of(stack).getLogicalId(construct.node.defaultChild as never) },
        ],
      ],
    });
    expect(ses).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Condition: { StringEquals: { 'ses:FromAddress': 'invitations@example.com' } },
        Resource: expect.arrayContaining([
          arn('identity', stack.email.identity),
          arn('configuration-set', stack.email.configurationSet),
        ]),
      },
    ]);
    expect(ses[0]?.Resource).toHaveLength(2);
  });

  it('lets the sender only update items: it needs nothing else from the table', () => {
    const dynamo = actionsOf(statementsOf(template, stack.email.sender)).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'dynamodb:UpdateItem',
      ].sort(),
    );
  });
});

/** A function that reads only the table's name (and Powertools settings, and `also`): no key, no limit. */
/** GetItem, BatchGetItem or both, as declared, in that order. */
function primedWith(needs: FunctionNeeds): string | undefined {
  const reads = ['GetItem', 'BatchGetItem'].filter((read) => needs.table?.actions.includes(read as never));
  return reads.length > 0 ? reads.join(',') : undefined;
}

function expectOnlyTableConfiguration(fn: lambda.IFunction, also: string[] = []) {
  const variables = template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables;
  expect(Object.keys(variables).sort()).toEqual(
    ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME', ...also].sort(),
  );
  expect(variables.TABLE_NAME).toEqual(ref(stack.table.table));
}

/** Of SQS, the statements allow sending to `queue` and nothing else. */
function expectOwnFailureQueue(statements: ReturnType<typeof statementsOf>, queue: IConstruct) {
  const sqs = statements.filter((statement) => actionsOf([statement]).some((a) => a.startsWith('sqs:')));
  expect(sqs).toEqual([
    expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: arnOf(queue) }),
  ]);
}

describe('workspace name sync permissions', () => {
  const statements = () => statementsOf(template, stack.events.nameSync);

  it('lets it update and batch-read items on the table and query the byWorkspace and byUser indexes, and nothing else', () => {
    const data = statements().filter((statement) => actionsOf([statement]).some((a) => a.startsWith('dynamodb:')));
    expect(data).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(stack.table.table),
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          { 'Fn::Join': ['', [arnOf(stack.table.table), `/index/${TABLE.indexes.byUser.name}`]] },
          { 'Fn::Join': ['', [arnOf(stack.table.table), `/index/${TABLE.indexes.byWorkspace.name}`]] },
        ],
      },
    ]);
  });

  it('reads no stream, reports to its own failure queue and writes its logs, with no other access', () => {
    const actions = actionsOf(statements());
    expect(new Set(actions.map((action) => action.split(':')[0]))).toEqual(new Set(['logs', 'dynamodb', 'sqs']));
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    expectOwnFailureQueue(statements(), stack.events.nameSyncFailures);
  });

  it('gives it the table name and its priming read, and no cursor key, email or link-token settings', () => {
    expectOnlyTableConfiguration(stack.events.nameSync, ['DYNAMODB_PRIME']);
  });
});

describe('event publisher permissions', () => {
  const statements = () => statementsOf(template, stack.events.publisher);

  it('may put events on the service bus and no other, and only read removal records by key from the table', () => {
    const putEvents = statements().filter((statement) => actionsOf([statement]).some((a) => a.startsWith('events:')));
    expect(putEvents).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arnOf(stack.bus as never) }]);
    const dynamo = actionsOf(statements()).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ].sort(),
    );
    expectOwnFailureQueue(statements(), stack.events.publishFailures);
  });

  it('is the only function that may put events', () => {
    const others = allFunctions().filter((fn) => fn !== stack.events.publisher);
    for (const fn of others) {
      about(fn.handlerName, () =>
        expect(actionsOf(statementsOf(template, fn)).filter((a) => a.startsWith('events:'))).toEqual([]),
      );
    }
  });

  it('gives it the bus name, the event source and the table name (for the removal records)', () => {
    const variables = template.toJSON().Resources[logicalId(stack.events.publisher)].Properties.Environment.Variables;
    expect(variables.EVENT_BUS_NAME).toEqual(ref(stack.bus as never));
    expect(variables.EVENT_SOURCE).toBe('invitations');
    expect(variables.TABLE_NAME).toEqual(ref(stack.table.table));
  });
});

describe('email feedback permissions', () => {
  const statements = () => statementsOf(template, stack.feedback.handler);

  it('lets it update items on the table, and nothing else from DynamoDB, SES or Secrets Manager', () => {
    const data = statements().filter((statement) =>
      actionsOf([statement]).some((action) => /^(dynamodb|ses|secretsmanager|kms):/.test(action)),
    );
    expect(data).toEqual([{ Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: arnOf(stack.table.table) }]);
  });

  it('reports to its own failure queue and writes its logs, with no other access', () => {
    const actions = actionsOf(statements());
    expect(new Set(actions.map((action) => action.split(':')[0]))).toEqual(new Set(['logs', 'dynamodb', 'sqs']));
    expectOwnFailureQueue(statements(), stack.feedback.failures);
  });

  it('gives it the table name and no cursor key, email or link-token settings', () => {
    expectOnlyTableConfiguration(stack.feedback.handler);
  });
});

describe('HTTP API', () => {
  it('exposes every route, behind the JWT authorizer unless public', () => {
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    for (const route of allRoutes) {
      about(`route ${route.method} ${route.path}`, () =>
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${route.method} ${route.path}`,
          ...(route.auth === 'jwt'
            ? { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } }
            : { AuthorizationType: 'NONE', AuthorizerId: Match.absent() }),
          Target: {
            'Fn::Join': ['', ['integrations/', { Ref: Match.stringLikeRegexp(`${pascal(route.handler)}Integration`) }]],
          },
        }),
      );
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Route', allRoutes.length);
  });

  it('trusts the created Cognito user pool and its app client', () => {
    const poolId = Object.keys(template.findResources('AWS::Cognito::UserPool'))[0] as string;
    const clientId = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'))[0] as string;
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: poolId }]] },
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      DeletionProtection: 'ACTIVE',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12 }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });

  it('signs people in through the pool with the authorization-code flow only, the scopes the claims need and explicit lifetimes', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    expect(Object.values(clients).map((client) => (client as { Properties: unknown }).Properties)).toEqual([
      {
        UserPoolId: { Ref: expect.stringMatching(/UserPool/) },
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        // By default the accept page is where sign-in returns, and its site's root where sign-out does.
        CallbackURLs: ['https://app.example.com/invitations/accept'],
        LogoutURLs: ['https://app.example.com/'],
        SupportedIdentityProviders: ['COGNITO'],
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        IdTokenValidity: 60,
        AccessTokenValidity: 60,
        RefreshTokenValidity: 43_200,
        AuthSessionValidity: 3,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
        ReadAttributes: expect.arrayContaining(['email', 'email_verified', 'name', 'nickname']),
        WriteAttributes: ['name', 'nickname'],
      },
    ]);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      UserPoolId: { Ref: Match.stringLikeRegexp('UserPool') },
      Domain: {
        'Fn::Join': ['-', ['invitations', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
      },
    });
  });

  it('throttles per route class and logs the stage, and sends no CORS headers unless origins are given', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      // The public routes, anyone's to call, each have a lower limit of their own.
      RouteSettings: Object.fromEntries(
        allRoutes
          .filter((route) => route.auth === 'public')
          .map((route) => [`${route.method} ${route.path}`, { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }]),
      ),
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('lets API Gateway invoke each function only from its own route', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as {
      Properties: { Action: string; Principal: string; FunctionName: unknown; SourceArn: unknown };
    }[];
    const fromApi = permissions.filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com');
    expect(fromApi).toHaveLength(allRoutes.length);
    for (const permission of fromApi) {
      expect(
        permission.Properties,
        `permission for ${JSON.stringify(permission.Properties.FunctionName)}`,
      ).toMatchObject({
        Action: 'lambda:InvokeFunction',
        SourceArn: { 'Fn::Join': expect.anything() },
      });
    }
    // The two others: the feedback rule's (see 'email feedback') and the name sync rule's (see 'domain events').
    expect(permissions).toHaveLength(allRoutes.length + 2);
  });
});

describe('keys', () => {
  it('keeps both secrets when the stack is deleted or a secret replaced', () => {
    for (const secret of [stack.secrets.linkTokenKey, stack.secrets.cursorSecret]) {
      const id = Stack.of(stack).getLogicalId(secret.node.defaultChild as never);
      expect(template.toJSON().Resources[id], `secret ${id}`).toMatchObject({
        Type: 'AWS::SecretsManager::Secret',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });
});

describe('table', () => {
  it('is built from the shared table definition, protected and kept', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: Object.values(TABLE.indexes).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        })),
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });
});

describe('email delivery', () => {
  it('feeds the sender from the stream through the shared filters, with bounded retries and a failure queue', () => {
    const queueId = Stack.of(stack).getLogicalId(stack.email.failures.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.email.sender) },
      EventSourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: {
        Filters: invitationEmailFilterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('encrypts the failure queue and refuses plain-HTTP access to it', () => {
    expectEncryptedTlsOnly(stack.email.failures);
  });

  it('sends through a configuration set without open or click tracking, over TLS', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      TrackingOptions: Match.absent(),
    });
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'invitations@example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('gives the sender what it needs to build and send the email', () => {
    const variables = template.toJSON().Resources[logicalId(stack.email.sender)].Properties.Environment.Variables;
    expect(variables).toMatchObject({
      ACCEPT_URL: 'https://app.example.com/invitations/accept',
      SES_FROM_ADDRESS: 'invitations@example.com',
      SES_CONFIGURATION_SET: { Ref: expect.stringMatching(/ConfigurationSet/) },
      TOKEN_KEY_SECRET_ARN: { Ref: expect.stringMatching(/LinkTokenKey/) },
    });
  });
});

describe('email feedback', () => {
  const rule = () =>
    template.toJSON().Resources[Stack.of(stack).getLogicalId(stack.feedback.rule.node.defaultChild as never)];

  it('publishes bounces and complaints, and nothing else, from the configuration set to the default event bus', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: ref(stack.email.configurationSet),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: {
          EventBusArn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']],
          },
        },
        SnsDestination: Match.absent(),
        CloudWatchDestination: Match.absent(),
        KinesisFirehoseDestination: Match.absent(),
      },
    });
  });

  it("matches the shared pattern on the default bus, for this stack's configuration set", () => {
    const configurationSetName = Stack.of(stack).resolve(stack.email.configurationSet.configurationSetName);
    expect(configurationSetName).toEqual(ref(stack.email.configurationSet));
    expect(rule().Properties).toMatchObject({ EventBusName: 'default', State: 'ENABLED' });
    expect(rule().Properties.EventPattern).toEqual(emailFeedbackEventPattern(configurationSetName));
  });

  it('targets the function alone, with bounded delivery retries and the failure queue as dead-letter queue', () => {
    expect(rule().Properties.Targets).toEqual([
      {
        Id: expect.any(String),
        Arn: arnOf(stack.feedback.handler),
        RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: arnOf(stack.feedback.failures) },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(stack.feedback.handler),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(stack.feedback.rule),
    });
  });

  it('retries a failed invocation twice within six hours, then parks the event in the same queue', () => {
    // The feedback recorder's and the workspace name sync's.
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(stack.feedback.handler),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.feedback.failures) } },
    });
  });

  it('encrypts its failure queue, refuses plain-HTTP access, and lets only the feedback rule send to it', () => {
    expect(stack.feedback.failures).not.toBe(stack.email.failures);
    expectEncryptedTlsOnly(stack.feedback.failures);
    const queueId = Stack.of(stack).getLogicalId(stack.feedback.failures.node.defaultChild as never);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: arnOf(stack.feedback.failures),
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(stack.feedback.rule) } },
          }),
        ]),
      },
    });
  });
});

describe('domain events', () => {
  it('creates the event bus the events are published on', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasOutput('EventBusName', { Value: ref(stack.bus as never) });
  });

  it('has exactly two readers of the table stream: the email sender and the event publisher', () => {
    const readers = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: arnOf(stack.table.table, 'StreamArn') },
      }),
    ).map((mapping) => (mapping as { Properties: { FunctionName: unknown } }).Properties.FunctionName);
    expect(readers).toHaveLength(2);
    expect(readers).toEqual(expect.arrayContaining([ref(stack.email.sender), ref(stack.events.publisher)]));
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });

  it('feeds the publisher every invitation, member and workspace change, with bounded retries and its own failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(stack.events.publisher),
      EventSourceArn: arnOf(stack.table.table, 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      FilterCriteria: {
        Filters: serviceEventFilterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.events.publishFailures) } },
    });
    expectEncryptedTlsOnly(stack.events.publishFailures);
  });

  it('hands workspace updates and removed members from the bus to the name sync, parking what fails', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: ref(stack.bus as never),
      EventPattern: { source: ['invitations'], 'detail-type': ['workspace.updated', 'member.removed'] },
      Targets: [
        Match.objectLike({
          Arn: arnOf(stack.events.nameSync),
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 6 * 3600 },
          DeadLetterConfig: { Arn: arnOf(stack.events.nameSyncFailures) },
        }),
      ],
    });
    expect(stack.events.nameSyncFailures).not.toBe(stack.email.failures);
    expectEncryptedTlsOnly(stack.events.nameSyncFailures);
  });

  it('has no webhook unless the operator asks for one', () => {
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
    template.resourceCountIs('AWS::Events::Connection', 0);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('WebhookFailuresQueueUrl');
  });

  it('runs the expiry sweep every minute, retried then parked', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: arnOf(stack.expirySweep.handler),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: { Arn: arnOf(stack.expirySweep.failures) },
      }),
    });
  });
});

describe('alarms', () => {
  const alarmOn = (metricName: string, extra: Record<string, unknown> = {}) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('MonitoringAlarms') }],
      ...extra,
    });

  it('raises an alarm for a parked stream record or event, a lagging stream, API 5xx, and each function error or throttle', () => {
    for (const queue of [
      stack.email.failures,
      stack.events.publishFailures,
      stack.events.nameSyncFailures,
      stack.feedback.failures,
    ]) {
      about(`queue ${queue.node.path}`, () =>
        alarmOn('ApproximateNumberOfMessagesVisible', {
          Namespace: 'AWS/SQS',
          Dimensions: [{ Name: 'QueueName', Value: arnOf(queue, 'QueueName') }],
          Threshold: 1,
        }),
      );
    }
    for (const fn of streamFunctions()) {
      about(`function ${functionName(fn)}`, () =>
        alarmOn('IteratorAge', {
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          Threshold: 300_000,
        }),
      );
    }
    alarmOn('5xx', { Namespace: 'AWS/ApiGateway' });
    for (const fn of allFunctions()) {
      for (const metric of ['Errors', 'Throttles']) {
        about(`${metric} of function ${functionName(fn)}`, () =>
          alarmOn(metric, { Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }], Threshold: 1 }),
        );
      }
    }
  });

  const alarmOf = (construct: IConstruct) =>
    template.toJSON().Resources[Stack.of(stack).getLogicalId(construct.node.defaultChild as never)].Properties;
  const serviceAlarm = (id: string) => {
    const alarm = stack.serviceAlarms.alarms.find((candidate) => candidate.node.id === id);
    if (!alarm) throw new Error(`no alarm ${id}`);
    return alarmOf(alarm);
  };
  const notifies = {
    AlarmActions: [{ Ref: expect.stringMatching(/MonitoringAlarms/) }],
    OKActions: [{ Ref: expect.stringMatching(/MonitoringAlarms/) }],
  };

  it('raises an alarm on DynamoDB throttling of the table or any index, and on its system errors', () => {
    for (const name of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      const throttles = serviceAlarm(name === 'ReadThrottleEvents' ? 'TableReadThrottles' : 'TableWriteThrottles');
      expect(throttles).toMatchObject({
        ...notifies,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const metrics = throttles.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } };
      }[];
      const stats = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
      expect(
        stats
          .map(
            (metric) =>
              `${metric.MetricName} ${metric.Dimensions.map((d) => (d.Name === 'TableName' ? 'table' : d.Value)).join(' ')}`,
          )
          .sort(),
        name,
      ).toEqual(
        [`${name} table`, ...Object.values(TABLE.indexes).map((index) => `${name} ${index.name} table`)].sort(),
      );
      expect(metrics.find((m) => m.Expression)?.Expression?.split(' + '), name).toHaveLength(
        1 + Object.keys(TABLE.indexes).length,
      );
    }
    const errors = serviceAlarm('TableSystemErrors');
    expect(errors).toMatchObject({ ...notifies, Threshold: 1 });
    expect(JSON.stringify(errors.Metrics)).toContain('SystemErrors');
    expect(JSON.stringify(errors.Metrics)).toContain('TransactWriteItems');
  });

  it('measures each route class from the access logs and alarms on its 5xx rate and p99 latency', () => {
    const publicKeys = allRoutes.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.path}`);
    expect(publicKeys).toEqual([
      'GET /api/openapi.json',
      'GET /api/event-schemas/{eventType}',
      'GET /api/invitation-tokens/{token}',
    ]);
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
      (filter) =>
        (
          filter as {
            Properties: {
              LogGroupName: unknown;
              FilterPattern: string;
              MetricTransformations: { MetricName: string; MetricValue: string }[];
            };
          }
        ).Properties,
    );
    const byMetric: Record<string, (typeof filters)[number]> = Object.fromEntries(
      filters.map((f) => [f.MetricTransformations[0]?.MetricName, f]),
    );
    const publicSelection =
      '($.routeKey = "GET /api/openapi.json" || $.routeKey = "GET /api/event-schemas/{eventType}" || $.routeKey = "GET /api/invitation-tokens/{token}")';
    const authenticatedSelection =
      '($.routeKey != "GET /api/openapi.json" && $.routeKey != "GET /api/event-schemas/{eventType}" && $.routeKey != "GET /api/invitation-tokens/{token}" && $.routeKey != "-")';
    expect(
      Object.fromEntries(
        Object.entries(byMetric).map(([name, f]) => [name, [f.FilterPattern, f.MetricTransformations[0]?.MetricValue]]),
      ),
    ).toEqual({
      PublicApiRequests: [`{ ${publicSelection} }`, '1'],
      PublicApiServerErrors: [`{ ${publicSelection} && $.status >= 500 }`, '1'],
      PublicApiLatency: [`{ ${publicSelection} }`, '$.latencyMs'],
      AuthenticatedApiRequests: [`{ ${authenticatedSelection} }`, '1'],
      AuthenticatedApiServerErrors: [`{ ${authenticatedSelection} && $.status >= 500 }`, '1'],
      AuthenticatedApiLatency: [`{ ${authenticatedSelection} }`, '$.latencyMs'],
    });
    for (const filter of filters)
      expect(filter.LogGroupName, `filter of ${filter.MetricTransformations[0]?.MetricName}`).toEqual(
        ref(stack.api.accessLogs),
      );
    // The access log carries status and latency as numbers, which the filters compare and measure.
    const format: string =
      template.findResources('AWS::ApiGatewayV2::Stage')[
        Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as string
      ]?.Properties.AccessLogSettings.Format;
    expect(
      JSON.parse(
        format.replaceAll(/\$context\.[\w.]+/g, (v) =>
          v === '$context.status' || v === '$context.responseLatency' ? '200' : v,
        ),
      ),
    ).toMatchObject({ status: 200, latencyMs: 200 });

    for (const routeClass of ['Public', 'Authenticated']) {
      const rate = serviceAlarm(`${routeClass}ApiServerErrorRate`);
      expect(rate, `${routeClass}ApiServerErrorRate`).toMatchObject({
        ...notifies,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
      });
      expect(rate.Metrics.find((m: { Expression?: string }) => m.Expression).Expression, routeClass).toBe(
        'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
      );
      const latency = serviceAlarm(`${routeClass}ApiLatency`);
      expect(latency, `${routeClass}ApiLatency`).toMatchObject({
        ...notifies,
        MetricName: `${routeClass}ApiLatency`,
        Namespace: 'Invitations',
        ExtendedStatistic: 'p99',
        Threshold: 2000,
        EvaluationPeriods: 3,
      });
    }
  });

  it('alarms on the SES bounce and complaint rates below the levels at which AWS reviews the account', () => {
    expect(serviceAlarm('SesBounceRate')).toMatchObject({
      ...notifies,
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.03,
    });
    expect(serviceAlarm('SesComplaintRate')).toMatchObject({
      ...notifies,
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.0005,
    });
    expect(serviceAlarm('SesBounceRate').Threshold).toBeLessThan(0.05);
    expect(serviceAlarm('SesComplaintRate').Threshold).toBeLessThan(0.001);
  });

  it('draws one dashboard with the API, the table, the email pipeline and every service alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Stack.of(stack).resolve(alarmOf(stack.dashboard.dashboard).DashboardBody));
    for (const needed of [
      '## API',
      'PublicApiRequests',
      'AuthenticatedApiLatency',
      '## Table',
      'ConsumedWriteCapacityUnits',
      'WriteThrottleEvents',
      'SystemErrors',
      '## Email pipeline',
      'Reputation.BounceRate',
      'Reputation.ComplaintRate',
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect({ needed, present: body.includes(needed) }).toEqual({ needed, present: true });
    }
    for (const alarm of stack.serviceAlarms.alarms) {
      expect(body).toContain(Stack.of(stack).getLogicalId(alarm.node.defaultChild as never));
    }
    template.hasOutput('DashboardName', { Value: ref(stack.dashboard.dashboard) });
  });

  it('notifies an encrypted topic that only accepts TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('outputs and checks', () => {
  it('outputs the API URL, table name, user pool ids and the failure queues', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'TableName',
        'UserPoolId',
        'UserPoolClientId',
        'AlarmTopicArn',
        'LinkTokenKeyArn',
        'DeliveryFailuresQueueUrl',
        'RenameFailuresQueueUrl',
        'FeedbackFailuresQueueUrl',
      ]),
    );
    template.hasOutput('RenameFailuresQueueUrl', { Value: ref(stack.events.nameSyncFailures) });
    template.hasOutput('FeedbackFailuresQueueUrl', { Value: ref(stack.feedback.failures) });
  });

  it('passes the cdk-nag AwsSolutions checks with every finding acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual(
      [],
    );
  });
});

function expectEncryptedTlsOnly(queue: IConstruct): void {
  const queueId = Stack.of(stack).getLogicalId(queue.node.defaultChild as never);
  expect(template.toJSON().Resources[queueId].Properties).toMatchObject({
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 14 * 86400,
  });
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: queueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    },
  });
}

function pascal(handler: string): string {
  return handler.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}
