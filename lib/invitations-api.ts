import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_POLICY } from '../functions/http/cors-policy';
import { type Route, routes } from '../functions/routes';
import type { ServiceResources } from './function-needs';
import type { DeploymentParameters } from './parameters';
import { ServiceFunction } from './service-function';

export interface InvitationsApiProps {
  /** The table, keys and limits; each route's function gets what its route entry declares. */
  readonly resources: ServiceResources;
  readonly jwtIssuer: string;
  readonly jwtAudience: string[];
  readonly corsOrigins: string[];
  /** Per route: the stage default for routes behind the authorizer, a lower one for public routes. */
  readonly throttle: DeploymentParameters['throttle'];
  readonly logRetention: logs.RetentionDays;
  /** Routes to serve; the shared route table unless a test narrows it. */
  readonly routes?: readonly Route[];
}

/** Drops the quotes around variables that always hold a number, so that the log line carries them as numbers. */
function unquoteNumbers(format: string, variables: string[]): string {
  return variables.reduce((line, variable) => line.replaceAll(`"${variable}"`, variable), format);
}

/** `list-workspace-invitations` → `ListWorkspaceInvitations`. */
export function constructIdOf(handler: string): string {
  return handler.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}

/**
 * The HTTP API: one function per entry of the route table, each behind the JWT authorizer
 * unless the route is public, each granted exactly the table actions, indexes and keys its route
 * declares, with only the configuration that goes with them.
 */
export class InvitationsApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly functions: ServiceFunction[] = [];
  /** One JSON line per request: no query string, no headers, no body. */
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: InvitationsApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Invitations service',
      createDefaultStage: false,
      corsPreflight:
        props.corsOrigins.length > 0
          ? {
              allowOrigins: props.corsOrigins,
              allowMethods: CORS_POLICY.allowMethods.map((method) => apigw.CorsHttpMethod[method]),
              allowHeaders: [...CORS_POLICY.allowHeaders],
              exposeHeaders: [...CORS_POLICY.exposeHeaders],
              maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
            }
          : undefined,
    });

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const accessLogs = this.accessLogs;
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle.authenticated,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        // No query string and no headers: tokens and email addresses travel there.
        // status and latencyMs as JSON numbers, which the access-log metric filters measure (lib/api-alarms.ts).
        format: AccessLogFormat.custom(
          unquoteNumbers(
            JSON.stringify({
              requestId: '$context.requestId',
              time: '$context.requestTime',
              ip: '$context.identity.sourceIp',
              userAgent: '$context.identity.userAgent',
              routeKey: '$context.routeKey',
              status: '$context.status',
              protocol: '$context.protocol',
              responseLength: '$context.responseLength',
              latencyMs: '$context.responseLatency',
              integrationLatencyMs: '$context.integrationLatency',
              integrationError: '$context.integrationErrorMessage',
              // The Lambda request id, which every log line of the function carries.
              functionRequestId: '$context.integration.requestId',
              authorizerError: '$context.authorizer.error',
              caller: '$context.authorizer.claims.sub',
            }),
            ['$context.status', '$context.responseLatency'],
          ),
        ),
      },
    });

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: props.jwtAudience,
      identitySource: ['$request.header.Authorization'],
    });

    const served: readonly Route[] = props.routes ?? routes;
    // Stage.RouteSettings is a free-form map in CloudFormation, so it keeps CloudFormation's own key names.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of served) {
      const name = constructIdOf(route.handler);
      const fn = new ServiceFunction(this, name, {
        handler: route.handler,
        profile: 'api',
        description: `${route.method} ${route.path}: ${route.summary}`.slice(0, 256),
        logRetention: props.logRetention,
        environment: props.resources.environmentFor(route),
      });
      props.resources.grant(fn, route);
      this.functions.push(fn);

      const [apiRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, fn, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer: route.auth === 'jwt' ? authorizer : new apigw.HttpNoneAuthorizer(),
      });
      if (route.auth === 'public' && apiRoute) {
        // Anyone can call a public route, so a flood of it gets its own, lower limit and cannot
        // use up what the signed-in routes are allowed.
        routeSettings[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: props.throttle.public.rateLimit,
          ThrottlingBurstLimit: props.throttle.public.burstLimit,
        };
        // Route settings name routes by key: the stage is updated once they exist.
        this.stage.node.addDependency(apiRoute);
        Validations.of(apiRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design (${route.summary}); it reads no caller data${
            route.secrets?.includes('linkTokenKey') ? ' and answers only to a valid HMAC link token' : ''
          }.`,
        });
      }
    }
    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeSettings;
  }

  get url(): string {
    return this.stage.url;
  }
}
