/**
 * The whole service on one machine: DynamoDB Local, the SES v2 emulator, the HTTP gateway in
 * front of the real handlers, the local identity, one stream poller per stream handler (the
 * email sender, the workspace name sync) and SES's mailbox simulator feeding the bounce and
 * complaint handler. Starts the parts in order and, if one fails, stops the ones already running
 * and says which part failed and why.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DomainError } from '../functions/domain/errors';
import { assertPortFree } from './child-process';
import { forgetChild, recordChild, stopRecordedChildren } from './child-records';
import {
  type ConsumerContext,
  LOCAL_EVENT_BUS_NAME,
  type MailboxSimulatorOverrides,
  type PollerOverrides,
  startEmailSweep,
  startEventBus,
  startExpirySweep,
  startMailboxSimulator,
  startStreamPollers,
} from './consumers';
import { corsPolicy } from './cors';
import { type DataPaths, prepareDataDir } from './data-dir';
import { DeclaredAccess } from './declared-access';
import { ensureTable, localDynamoClient, type RunningDynamo, startDynamoDbLocal } from './dynamodb-local';
import type { EmailSweeper } from './email-sweeper';
import type { LocalEventBus } from './event-bus';
import { type ApiHandler, createGateway, type GatewayOptions } from './gateway';
import { tableEnvironment } from './handler-environment';
import {
  externalVerifier,
  jwksOf,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type LocalKey,
  loadOrCreateKey,
  localVerifier,
  mintToken,
} from './identity';
import { type RunningSes, startSesEmulator } from './ses-emulator';
import { SesFaultLayer } from './ses-faults';
import { LOCAL_CONFIGURATION_SET, type MailboxSimulator } from './ses-feedback';
import type { LocalSettings } from './settings';
import type { StreamPoller } from './stream-poller';
import type { StreamWiring } from './stream-wiring';

export const FUNCTION_PREFIX = 'invitations-local-';

export interface RunningService {
  settings: LocalSettings;
  paths: DataPaths;
  urls: {
    api: string;
    docs: string;
    inbox: string;
    jwks?: string;
    dynamo: string;
    ses: string;
    /** The SES fault layer the sender talks to; absent when SES_ENDPOINT points elsewhere. */
    sesFaults?: string;
  };
  issuer: string;
  audience: string;
  /** One per stream consumer whose handler is part of this checkout, by handler name. */
  pollers: ReadonlyMap<string, StreamPoller>;
  /** Absent when this checkout has no handler for SES feedback. */
  mailboxSimulator?: MailboxSimulator;
  /** The email sweep on its timer; absent when this checkout has no sweep handler. */
  emailSweeper?: EmailSweeper;
  expirySweeper?: EmailSweeper;
  /** The local EventBridge: every published event, its JSONL file, the webhook and the name sync. */
  eventBus: LocalEventBus;
  /** Resolves if a child process (DynamoDB Local, the emulator) exits while the service runs. */
  failure: Promise<Error>;
  stop(): Promise<void>;
}

export class PartFailed extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`${part} failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface StartOptions {
  log?(message: string): void;
  /** Replaces the stream consumers (tests); by default every stream handler in functions/. */
  stream?: readonly StreamWiring[];
  poller?: PollerOverrides;
  mailboxSimulator?: MailboxSimulatorOverrides;
  /** The first retry delay of event deliveries (tests shorten it). */
  eventRetryBaseDelayMs?: number;
}

export async function startLocalService(settings: LocalSettings, options: StartOptions = {}): Promise<RunningService> {
  const log = options.log ?? ((message: string) => console.log(message));
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error('stopping a part failed', error);
      }
    }
  };
  const step = async <T>(part: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      await stopAll();
      throw error instanceof PartFailed ? error : new PartFailed(part, error);
    }
  };

  const paths = await step('the data directory', async () => prepareDataDir(settings.dataDir));
  // A runner that was killed outright may have left its children running, holding their ports.
  for (const left of await stopRecordedChildren(paths.children)) {
    log(`Stopped ${left.part} (pid ${left.pid}), left running by a start that did not stop cleanly.`);
  }
  const watchdog = startWatchdog(paths.children);
  stops.push(async () => watchdog.release());
  await step('the API gateway', () => assertPortFree(settings.port, 'PORT'));
  await step('DynamoDB Local', () => assertPortFree(settings.dynamoPort, 'DYNAMODB_PORT'));
  await step('the SES emulator', () => assertPortFree(settings.sesPort, 'SES_PORT'));
  if (!settings.sesEndpoint) {
    await step('the SES fault layer', () => assertPortFree(settings.sesFaultsPort, 'SES_FAULTS_PORT'));
  }

  const [dynamo, ses] = await step('DynamoDB Local and the SES emulator', async () => {
    const started = await Promise.allSettled([
      // Detached: a Ctrl-C reaches the runner alone, which then stops the children in order.
      startDynamoDbLocal({ port: settings.dynamoPort, dataDir: paths.dynamo, detached: true }),
      startSesEmulator({ port: settings.sesPort, detached: true }),
    ]);
    for (const [part, result] of [
      ['DynamoDB Local', started[0]],
      ['the SES emulator', started[1]],
    ] as const) {
      if (result.status !== 'fulfilled') continue;
      const child = result.value.process;
      if (child.pid) {
        recordChild(paths.children, part, child.pid);
        child.once('exit', () => forgetChild(paths.children, child.pid as number));
      }
      stops.push(result.value.stop);
    }
    const [dynamoResult, sesResult] = started;
    if (dynamoResult.status === 'rejected') throw new PartFailed('DynamoDB Local', dynamoResult.reason);
    if (sesResult.status === 'rejected') throw new PartFailed('the SES emulator', sesResult.reason);
    return [dynamoResult.value, sesResult.value] as [RunningDynamo, RunningSes];
  });

  const failure = new Promise<Error>((resolve) => {
    const watch = (part: string, child: RunningDynamo['process']) =>
      child.once('exit', (code, signal) => {
        if (!stopping) resolve(new Error(`${part} stopped unexpectedly (${signal ?? `exit code ${code}`}).`));
      });
    watch('DynamoDB Local', dynamo.process);
    watch('The SES emulator', ses.process);
  });

  // The sender talks to SES through the fault layer, which passes everything on while no fault is set.
  const sesFaults = await step('the SES fault layer', async () => {
    if (settings.sesEndpoint) return undefined;
    const layer = new SesFaultLayer(ses.endpoint, settings.sesFaults);
    const url = await layer.listen(settings.sesFaultsPort);
    stops.push(() => layer.close());
    return url;
  });

  const streamArn = await step('DynamoDB Local', async () => {
    const client = localDynamoClient(dynamo.endpoint);
    try {
      await ensureTable(client, settings.tableName);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: settings.tableName }));
      if (!Table?.LatestStreamArn) throw new Error(`the table ${settings.tableName} has no stream`);
      return Table.LatestStreamArn;
    } finally {
      client.destroy();
    }
  });

  // The handlers read their configuration at import, so it is in place before the first import.
  Object.assign(process.env, {
    ...tableEnvironment(settings, paths, dynamo.endpoint),
    TOKEN_KEY_FILE: paths.tokenKey,
    SES_ENDPOINT: settings.sesEndpoint ?? sesFaults,
    SES_FROM_ADDRESS: settings.fromAddress,
    // As deployed, emails go through a configuration set, which SES names in their events.
    SES_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
    ACCEPT_URL: settings.acceptUrl,
  });

  // As IAM does deployed: a handler that sends DynamoDB a request its declaration does not cover
  // (functions/routes.ts, functions/consumers.ts) gets an AccessDeniedException.
  const access = await step('the declared access checks', async () => {
    const { dynamo: functionsClient } = await import('../functions/store/client');
    const checks = new DeclaredAccess({ tableName: settings.tableName, busName: LOCAL_EVENT_BUS_NAME });
    const uninstall = checks.install(functionsClient);
    stops.push(async () => uninstall());
    return checks;
  });

  const identity = await step('the local identity', async () => {
    if (settings.external) {
      const { issuer, audience, jwksUrl } = settings.external;
      return { verifier: externalVerifier(issuer, audience, jwksUrl), jwks: undefined, key: undefined };
    }
    const key = await loadOrCreateKey(settings.dataDir);
    return { verifier: localVerifier(key), jwks: jwksOf(key), key };
  });

  const api = `http://localhost:${settings.port}`;
  await step('the API gateway', async () => {
    const server = createGateway({
      loadHandler: async (name) => {
        const module = (await import(new URL(`../functions/${name}.ts`, import.meta.url).href)) as {
          handler: ApiHandler;
        };
        return access.wrap(name, module.handler);
      },
      verifier: identity.verifier,
      cors: corsPolicy(settings.corsOrigins),
      jwks: identity.jwks,
      functionPrefix: FUNCTION_PREFIX,
      publicHost: `localhost:${settings.port}`,
      ...(identity.key ? { localSignIn: localSignInWith(identity.key) } : {}),
      ...(settings.requestLog ? { logRequest: log } : {}),
    });
    await listen(server, settings.port);
    stops.push(() => close(server));
  });

  const consumers: ConsumerContext = {
    dynamoEndpoint: dynamo.endpoint,
    tableName: settings.tableName,
    access,
    functionPrefix: FUNCTION_PREFIX,
    log,
    onStop: (stop) => stops.push(stop),
  };
  const eventBus = await step('the event bus', () =>
    startEventBus(consumers, {
      dataRoot: paths.root,
      source: settings.eventSource,
      ...(settings.webhook ? { webhook: settings.webhook } : {}),
      ...(options.eventRetryBaseDelayMs ? { retryBaseDelayMs: options.eventRetryBaseDelayMs } : {}),
    }),
  );
  const pollers = await step('the stream pollers', () =>
    startStreamPollers(consumers, {
      streamArn,
      dataRoot: paths.root,
      ...(options.stream ? { stream: options.stream } : {}),
      ...(options.poller ? { poller: options.poller } : {}),
    }),
  );
  const mailboxSimulator = await step('the SES mailbox simulator', () =>
    startMailboxSimulator(consumers, {
      sesEndpoint: ses.endpoint,
      ...(options.mailboxSimulator ? { overrides: options.mailboxSimulator } : {}),
    }),
  );
  const emailSweeper = await step('the email sweep', () =>
    startEmailSweep(consumers, { intervalMs: settings.sweepIntervalMs }),
  );
  const expirySweeper = await step('the expiry sweep', () =>
    startExpirySweep(consumers, { intervalMs: settings.expirySweepIntervalMs }),
  );

  // DynamoDB Local keeps its files open under the data directory: without it every write fails.
  const dataDirWatch = setInterval(() => {
    if (existsSync(paths.dynamo)) return;
    clearInterval(dataDirWatch);
    log(
      `The data directory ${paths.root} was removed while the service runs: DynamoDB Local can no longer ` +
        'write, so writes answer 500. Stop the service (Ctrl-C) and start it again to begin afresh.',
    );
  }, 1000);
  dataDirWatch.unref();
  stops.push(async () => clearInterval(dataDirWatch));

  return {
    settings,
    paths,
    urls: {
      api,
      docs: `${api}/docs/`,
      inbox: `http://localhost:${settings.sesPort}/`,
      ...(identity.jwks ? { jwks: `${api}/.well-known/jwks.json` } : {}),
      dynamo: dynamo.endpoint,
      ses: ses.endpoint,
      ...(sesFaults ? { sesFaults } : {}),
    },
    issuer: settings.external?.issuer ?? LOCAL_ISSUER,
    audience: settings.external?.audience ?? LOCAL_AUDIENCE,
    pollers,
    ...(mailboxSimulator ? { mailboxSimulator } : {}),
    ...(emailSweeper ? { emailSweeper } : {}),
    ...(expirySweeper ? { expirySweeper } : {}),
    eventBus,
    failure,
    stop: stopAll,
  };
}

/**
 * "Continue as <the invited address>" on the local accept page: a token from the local identity
 * for the address the link was sent to, once the link proves to lead to a pending invitation.
 */
function localSignInWith(key: LocalKey): NonNullable<GatewayOptions['localSignIn']> {
  return async (linkToken) => {
    const [{ invitations, stores }, { linkTokens }] = await Promise.all([
      import('../functions/services'),
      import('../functions/email/token-key'),
    ]);
    try {
      const preview = await invitations.previewByLink(linkToken, await linkTokens());
      const invitation = await stores.invitations.getInvitation(preview.invitationId);
      if (!invitation) return undefined;
      const sub = `local-${createHash('sha256').update(invitation.email).digest('hex').slice(0, 16)}`;
      const accessToken = await mintToken(key, { sub, email: invitation.email, name: invitation.email.split('@')[0] });
      return { email: invitation.email, accessToken, invitationId: invitation.id };
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
  };
}

/**
 * The watchdog (local/orphan-watchdog.ts) outlives the runner in its own process group and stops
 * the recorded children if the runner dies without releasing it, however it dies.
 */
function startWatchdog(recordFile: string): { release(): void } {
  const script = fileURLToPath(new URL('./orphan-watchdog.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, recordFile], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release: () => {
      child.stdin?.end('done\n');
    },
  };
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
