/**
 * The package as a product receives it: `npm pack`, installed into a copy of examples/app from
 * the local npm cache, then that app synthesized with the service embedded beside its own
 * resources, and its client script run against `npm start`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/bundling/options';
import { type Runner, removeDataDir, startRunner } from '../e2e/support/runner';

const work = mkdtempSync(join(tmpdir(), 'invitations-package-'));
const app = join(work, 'app');
const tsx = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });

beforeAll(() => {
  // npm pack prints the tarball's name last (prepack's build output comes before it).
  const packed = run('npm', ['pack', '--pack-destination', work], PROJECT_ROOT).trim().split('\n').at(-1) ?? '';
  const tarball = join(work, packed);
  cpSync(join(PROJECT_ROOT, 'examples/app'), app, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  manifest.dependencies['invitations-service'] = `file:${tarball}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest));
  // Everything it needs is in the npm cache after the project's own install: no download.
  run('npm', ['install', '--prefer-offline', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], app);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('synthesizes the example app: the service beside the app’s own pool and queue, trusting that pool', () => {
    const outdir = join(work, 'cdk.out');
    run(tsx, ['app.ts'], app, { CDK_OUTDIR: outdir });
    const template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, 'Product.template.json'), 'utf8')));

    // One user pool, the app's: the service created none of its own.
    const pools = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    expect(pools).toEqual([expect.stringMatching(/^Users/)]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^UsersWeb') }],
        Issuer: { 'Fn::Join': ['', [Match.stringLikeRegexp('cognito-idp'), { Ref: pools[0] }]] },
      },
    });
    // The app's rule on the service's bus, into the app's queue.
    const [bus] = Object.keys(template.findResources('AWS::Events::EventBus'));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvitationEvents'), 'Arn'] } })],
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.product.example.com'] }),
    });
    // Every handler bundled from the installed package's sources, as `cdk deploy` would.
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(20);
    for (const fn of functions) expect(fn.Properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
  }, 180_000);

  describe('its client, against npm start', () => {
    let runner: Runner;
    beforeAll(async () => {
      runner = await startRunner({ launch: 'npm' });
    }, 90_000);
    afterAll(async () => {
      await runner?.stop();
      if (runner) removeDataDir(runner.dataDir);
    });

    it('creates, invites, pages, follows a link and reports a refusal as a typed problem', async () => {
      const token = await runner.token({ sub: 'packed-client', email: 'owner@example.com', name: 'Owner' });
      const output = run(tsx, ['invite.ts'], app, { INVITATIONS_API_URL: runner.api, INVITATIONS_TOKEN: token });
      expect(JSON.parse(output)).toEqual({
        workspace: expect.stringMatching(/^[0-9a-f-]{36}$/),
        pending: ['bob@example.com', 'carol@example.com', 'dan@example.com'],
        revoked: 'REVOKED',
        refusal: { status: 400, fields: ['body.email'] },
      });
    }, 60_000);

    it("turns the gateway's own 401 into a ProblemError with the gateway's message", async () => {
      const packed = join(app, 'node_modules/invitations-service/dist/client.js');
      const { createInvitationsClient, ProblemError } = (await import(packed)) as typeof import('../../client/index');
      const client = createInvitationsClient({ baseUrl: runner.api, token: 'not-a-jwt' });
      const refused = await client.ok(client.api.GET('/api/workspaces')).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProblemError);
      expect(refused).toMatchObject({ status: 401, title: 'Unauthorized', type: 'about:blank' });
    });
  });
});
