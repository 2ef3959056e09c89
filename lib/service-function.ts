import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/platform/metric-names';
import { handlerEntry, LAMBDA_BUNDLE, LOCK_FILE, PROJECT_ROOT } from './bundling/options';

/**
 * Memory and timeout per kind of work.
 *
 * API functions: 1024 MB. Their requests are I/O-bound (one to three DynamoDB round trips), but
 * a cold start is pure CPU (parsing and evaluating a ~300 KB bundle) and Lambda allots CPU in
 * proportion to memory: 1024 MB is ~0.6 vCPU, where 256 MB would make every cold start about four
 * times slower for a saving of cents. 10 s: API Gateway gives up after 30 s, and a DynamoDB call
 * with the SDK's three attempts is done in well under a second, so 10 s only bounds a stuck call.
 *
 * Stream functions: 512 MB, 60 s. Nobody waits on their cold start. A batch of up to ten
 * records needs seconds: for the email sender, each one SES call (retried with back-off on
 * throttling) and two small table writes; for the workspace name sync, a query and one small
 * update per invitation of the renamed workspace. 60 s leaves room for SES slowness and large
 * workspaces without holding the shard for long.
 *
 * Event functions: 256 MB, 10 s. EventBridge invokes them asynchronously, one event at a time,
 * so nobody waits on their cold start either, and the work is a single conditional UpdateItem.
 * Memory is not what limits them (the feedback recorder is about 50 MB resident after handling
 * an event, measured locally); 256 MB rather than the 128 MB minimum for the CPU that comes with
 * it: a cold start parsing the bundle on 128 MB's sliver of a vCPU takes twice as long for the
 * same GB-seconds. 10 s bounds a stuck call: one UpdateItem with the SDK's three attempts is
 * done in well under a second.
 */
export const FUNCTION_PROFILES = {
  api: { memorySize: 1024, timeout: Duration.seconds(10) },
  stream: { memorySize: 512, timeout: Duration.seconds(60) },
  event: { memorySize: 256, timeout: Duration.seconds(10) },
} as const;

export type FunctionProfile = keyof typeof FUNCTION_PROFILES;

export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const SERVICE_NAME = 'invitations';

export interface ServiceFunctionProps {
  /** The handler file: functions/<handler>.ts, exporting `handler`. */
  readonly handler: string;
  readonly profile: FunctionProfile;
  readonly description: string;
  readonly logRetention: logs.RetentionDays;
  readonly environment?: Record<string, string>;
}

/**
 * Every function of the service: Node.js 24 on arm64, one esbuild bundle with everything in it
 * (settings shared with the cold-start benchmark), its own log group with retention, JSON logs
 * for Powertools, and its own role that starts with nothing but writing to that log group.
 * Data access is granted per function by whoever creates it. No active X-Ray tracing: its
 * write permission only exists on resource *, and the access logs and Powertools logs carry the
 * request ids that tie a request together.
 */
export class ServiceFunction extends NodejsFunction {
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      // Log groups outlive the stack: what a function logged stays until retention expires it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the default one with AWSLambdaBasicExecutionRole, whose
    // logs:* grant covers every log group in the account.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      ...(LOCK_FILE ? { projectRoot: PROJECT_ROOT, depsLockFilePath: LOCK_FILE } : {}),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      ...FUNCTION_PROFILES[props.profile],
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        externalModules: [...LAMBDA_BUNDLE.external],
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourcemap,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        banner: LAMBDA_BUNDLE.banner,
        esbuildArgs: {
          '--alias': Object.entries(LAMBDA_BUNDLE.alias).map(([from, to]) => `${from}=${to}`),
        },
      },
    });
    this.handlerName = props.handler;
  }
}
