/** The running service, driven over HTTP the way a client would: `npm start` on free ports. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../local/identity';
import {
  consumedStreamEnd,
  emailsTo,
  eventually,
  http,
  linkIn,
  ROOT,
  type Runner,
  removeDataDir,
  startRunner,
} from './support/runner';

let runner: Runner;

beforeAll(async () => {
  runner = await startRunner({ env: { CORS_ORIGINS: 'http://app.example' } });
});

afterAll(async () => {
  if (!runner) return;
  await runner.stop();
  removeDataDir(runner.dataDir);
});

describe('the gateway', () => {
  it('serves the whole invitation lifecycle through the real handlers', async () => {
    const owner = await runner.token({ sub: 'owner-1', email: 'owner-1@example.com', name: 'Olive Owner' });
    const invitee = await runner.token({ sub: 'invitee-1', email: 'invitee-1@example.com', name: 'Ian Invitee' });

    const created = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Acme' } });
    expect(created.status).toBe(201);
    const workspaceId = created.body.id;
    expect(created.headers.get('location')).toBe(`${runner.api}/api/workspaces/${workspaceId}`);

    const invited = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: owner,
      body: { email: 'Invitee-1@Example.com', role: 'ADMIN' },
    });
    expect(invited.status).toBe(202);
    expect(invited.body).toMatchObject({ status: 'PENDING', email: 'invitee-1@example.com', role: 'ADMIN' });
    const invitationId = invited.body.id;

    const sent = await http(runner, 'GET', '/api/invitations', { token: owner });
    expect(sent.body._embedded.invitations.map((i: { id: string }) => i.id)).toEqual([invitationId]);
    const received = await http(runner, 'GET', '/api/invitations?email=invitee-1%40example.com', { token: invitee });
    expect(received.status).toBe(200);
    expect(received.body._embedded.invitations[0]._links['accept invitation']).toEqual({
      href: `${runner.api}/api/invitations/${invitationId}`,
      type: 'PATCH',
    });

    const accepted = await http(runner, 'PATCH', `/api/invitations/${invitationId}`, { token: invitee });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('ACCEPTED');
    const members = await http(runner, 'GET', `/api/workspaces/${workspaceId}/members`, { token: invitee });
    expect(members.body._embedded.members.map((m: { userId: string }) => m.userId).sort()).toEqual([
      'invitee-1',
      'owner-1',
    ]);

    const withdrawn = await http(runner, 'PUT', `/api/invitations/${invitationId}/revoked`, { token: owner });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('REVOKED');
    const gone = await http(runner, 'GET', `/api/workspaces/${workspaceId}`, { token: invitee });
    expect(gone.status).toBe(404);

    const deleted = await http(runner, 'DELETE', `/api/invitations/${invitationId}`, { token: owner });
    expect(deleted.status).toBe(204);
    expect((await http(runner, 'GET', `/api/invitations/${invitationId}`, { token: owner })).status).toBe(404);
  });

  it('answers 401 before any handler for missing, expired, wrongly signed and wrong-audience tokens', async () => {
    const path = '/api/workspaces';
    const missing = await http(runner, 'GET', path);
    const malformed = await http(runner, 'GET', path, { token: 'not-a-jwt' });
    const expired = await http(runner, 'GET', path, { token: await runner.token({ sub: 'u', ttlSeconds: -60 }) });
    const wrongAudience = await http(runner, 'GET', path, {
      token: await runner.token({ sub: 'u', audience: 'another-api' }),
    });
    const wrongIssuer = await http(runner, 'GET', path, {
      token: await runner.token({ sub: 'u', issuer: 'https://issuer.example' }),
    });
    // Another key under the kid of the real one: only the signature check can tell them apart.
    const { privateKey } = await generateKeyPair('RS256');
    const { keys } = (await http(runner, 'GET', '/.well-known/jwks.json')).body;
    const forged = await new SignJWT({ scope: 'openid invitations:admin' })
      .setProtectedHeader({ alg: 'RS256', kid: keys[0].kid })
      .setSubject('u')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    const wrongSignature = await http(runner, 'GET', path, { token: forged });
    const notYetValid = await http(runner, 'GET', path, {
      token: await runner.token({ sub: 'u', notBeforeSeconds: 600, ttlSeconds: 1200 }),
    });

    const refused = { missing, malformed, expired, wrongAudience, wrongIssuer, wrongSignature, notYetValid };
    for (const [token, response] of Object.entries(refused)) {
      expect(response.status, token).toBe(401);
      expect(response.body, token).toEqual({ message: 'Unauthorized' });
      expect(response.headers.get('www-authenticate'), token).toMatch(/^Bearer /);
    }
    expect(expired.headers.get('www-authenticate')).toContain('expired');

    const valid = await http(runner, 'GET', path, { token: await runner.token({ sub: 'u' }) });
    expect(valid.status).toBe(200);
  });

  it('serves public routes without a token, 404 for unknown routes, and the CORS policy', async () => {
    const openapi = await http(runner, 'GET', '/api/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\.1/);

    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/openapi.json'],
    ] as const) {
      const response = await http(runner, method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body, `${method} ${path}`).toEqual({ message: 'Not Found' });
    }

    const preflight = await fetch(`${runner.api}/api/workspaces`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');

    const simple = await http(runner, 'GET', '/api/openapi.json', { headers: { origin: 'http://app.example' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(simple.headers.get('access-control-expose-headers')).toBe('location,retry-after');
    const stranger = await http(runner, 'GET', '/api/openapi.json', { headers: { origin: 'http://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('builds payload 2.0 events: query strings, base64 bodies and problem answers pass through', async () => {
    const token = await runner.token({ sub: 'events-1', email: 'events-1@example.com' });
    const page = await http(runner, 'GET', '/api/workspaces?size=1', { token });
    expect(page.status).toBe(200);
    expect(page.body.page.size).toBe(1);

    const binary = await fetch(`${runner.api}/api/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(binary.status).toBe(415);
    expect(binary.headers.get('content-type')).toContain('application/problem+json');

    const invalid = await http(runner, 'POST', '/api/workspaces', { token, body: { name: '' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.length).toBeGreaterThan(0);
  });

  it('serves the API reference, the local identity keys and the link page', async () => {
    const docs = await fetch(`${runner.api}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    const initializer = await (await fetch(`${runner.api}/docs/swagger-initializer.js`)).text();
    expect(initializer).toContain('/api/openapi.json');
    expect((await fetch(`${runner.api}/docs/swagger-ui-bundle.js`)).status).toBe(200);

    const jwks = await http(runner, 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();

    const page = await fetch(`${runner.api}/accept?token=abc`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="accept.js" defer></script>');
    expect(html).not.toMatch(/<script>|<style>|\son\w+=/);
    const script = await fetch(`${runner.api}/accept.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('/api/invitation-tokens/');

    // The local sign-in behind "Continue as": only for a link to a pending invitation.
    const refused = await http(runner, 'POST', '/_local/sign-in', { body: { token: 'abc' } });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const malformed = await http(runner, 'POST', '/_local/sign-in', { body: { nothing: true } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toContain('"token"');
  });

  it('mints tokens with `npm run token`, printing only the JWT', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'token', '--', '--sub', 'cli-1', '--email', 'cli-1@example.com', '--admin'],
      { cwd: ROOT, env: { ...process.env, LOCAL_DATA_DIR: runner.dataDir } },
    );
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const listed = await http(runner, 'GET', '/api/workspaces', { token: stdout.trim() });
    expect(listed.status).toBe(200);
  });
});

describe('invitation emails', () => {
  it('emails each invitation with a link that previews and accepts it', async () => {
    const owner = await runner.token({ sub: 'owner-2', email: 'owner-2@example.com', name: 'Olga Owner' });
    const created = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Mail Team' } });
    const workspaceId = created.body.id;
    const addresses = ['first-2@example.com', 'second-2@example.com'];
    for (const email of addresses) {
      const invited = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
        token: owner,
        body: { email },
      });
      expect(invited.status).toBe(202);
    }

    for (const address of addresses) {
      const [email, ...more] = await emailsTo(runner, address);
      expect(more, address).toHaveLength(0);
      const link = linkIn(email as never);
      expect(`${link.origin}${link.pathname}`).toBe(`${runner.api}/accept`);
      const token = link.searchParams.get('token') as string;

      const preview = await http(runner, 'GET', `/api/invitation-tokens/${encodeURIComponent(token)}`);
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ status: 'PENDING' });
      expect(JSON.stringify(preview.body)).toContain('Mail Team');

      if (address === addresses[0]) {
        const invitee = await runner.token({ sub: 'first-2', email: address });
        const accepted = await http(runner, 'POST', `/api/invitation-tokens/${encodeURIComponent(token)}/accept`, {
          token: invitee,
        });
        expect(accepted.status).toBe(200);
        expect(accepted.body.status).toBe('ACCEPTED');
        const members = await http(runner, 'GET', `/api/workspaces/${workspaceId}/members`, { token: invitee });
        expect(members.status).toBe(200);
        // The console's request log names each request by its route, and never the token or an address.
        const log = runner.output();
        expect(log).toMatch(/^POST \/api\/invitation-tokens\/\{token\}\/accept 200 \d+ ms [0-9a-f-]{36}$/m);
        expect(log).toMatch(/^POST \/api\/workspaces\/\{workspaceId\}\/invitations 202 \d+ ms /m);
        expect(log).not.toContain(token);
        expect(log).not.toContain(address);
      }
    }
  });
});

describe('workspace renames', () => {
  it("reach the workspace's invitations through the stream, and invitations created afterwards", async () => {
    const owner = await runner.token({ sub: 'owner-3', email: 'owner-3@example.com', name: 'Oscar Owner' });
    const invitee = await runner.token({ sub: 'invitee-3', email: 'invitee-3@example.com', name: 'Ines Invitee' });
    const created = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Before' } });
    const workspaceId = created.body.id;
    const invited = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: owner,
      body: { email: 'invitee-3@example.com' },
    });
    expect(invited.status).toBe(202);
    expect(invited.body.workspace).toMatchObject({ id: workspaceId, name: 'Before' });
    const invitationId = invited.body.id;

    const renamed = await http(runner, 'PATCH', `/api/workspaces/${workspaceId}`, {
      token: owner,
      body: { name: 'After' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('After');

    // The rename reaches the invitation only through the stream poller, so it takes a moment.
    const names = async () => {
      const invitation = await http(runner, 'GET', `/api/invitations/${invitationId}`, { token: invitee });
      const received = await http(runner, 'GET', '/api/invitations?email=invitee-3%40example.com', {
        token: invitee,
      });
      return {
        invitation: invitation.body.workspace?.name,
        received: received.body._embedded?.invitations.map((i: { id: string; workspace: { name: string } }) => [
          i.id,
          i.workspace.name,
        ]),
      };
    };
    const seen = await eventually(
      names,
      ({ invitation, received }) => invitation === 'After' && received?.[0]?.[1] === 'After',
    );
    expect(seen).toEqual({ invitation: 'After', received: [[invitationId, 'After']] });

    const later = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: owner,
      body: { email: 'later-3@example.com' },
    });
    expect(later.status).toBe(202);
    expect(later.body.workspace.name).toBe('After');
    const fetched = await http(runner, 'GET', `/api/invitations/${later.body.id}`, { token: owner });
    expect(fetched.body.workspace.name).toBe('After');
    // Both invitations keep the new name: once the publisher has handled the whole stream, and the
    // name sync every event it published, nothing brought back the old one.
    await consumedStreamEnd(runner, 'publish-events.stream-position.json');
    expect(await names()).toEqual(seen);
    const sent = await http(runner, 'GET', `/api/workspaces/${workspaceId}/invitations`, { token: owner });
    expect(sent.body._embedded.invitations.map((i: { workspace: { name: string } }) => i.workspace.name)).toEqual([
      'After',
      'After',
    ]);
  });
});

describe('a creator who leaves', () => {
  it('leaves through their own link, whatever their sub, and their pending invitations are withdrawn', async () => {
    const owner = await runner.token({ sub: 'owner-6', email: 'owner-6@example.com', name: 'Opal Owner' });
    const creatorSub = 'idp/tenant=6, Cleo Creator';
    const creator = await runner.token({ sub: creatorSub, email: 'creator-6@example.com', name: 'Cleo Creator' });
    const invitee = await runner.token({ sub: 'invitee-6', email: 'invitee-6@example.com', name: 'Ivo Invitee' });
    const workspaceId = (await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Six' } })).body
      .id;
    const asAdmin = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: owner,
      body: { email: 'creator-6@example.com', role: 'ADMIN' },
    });
    expect((await http(runner, 'PATCH', `/api/invitations/${asAdmin.body.id}`, { token: creator })).status).toBe(200);
    const pending = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: creator,
      body: { email: 'invitee-6@example.com' },
    });
    expect(pending.status).toBe(202);

    const members = await http(runner, 'GET', `/api/workspaces/${workspaceId}/members`, { token: creator });
    const self = members.body._embedded.members.find((member: { userId: string }) => member.userId === creatorSub);
    const left = await http(runner, 'DELETE', new URL(self._links['remove member'].href).pathname, { token: creator });
    expect(left.status).toBe(204);
    expect((await http(runner, 'GET', `/api/invitations/${pending.body.id}`, { token: creator })).status).toBe(404);

    // The withdrawal reaches the invitation through the stream poller, so it takes a moment.
    const received = () =>
      http(runner, 'GET', '/api/invitations?email=invitee-6%40example.com', { token: invitee }).then(
        (response) => response.body._embedded?.invitations?.[0]?.status,
      );
    expect(await eventually(received, (status) => status === 'REVOKED')).toBe('REVOKED');
    const listed = await http(runner, 'GET', `/api/workspaces/${workspaceId}/invitations`, { token: owner });
    expect(listed.body._embedded.invitations.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([
      [pending.body.id, 'REVOKED'],
      [asAdmin.body.id, 'ACCEPTED'],
    ]);
  });
});

describe('bounces and complaints', () => {
  it("reach the invitation's delivery from SES's mailbox simulator; other addresses stay SENT", async () => {
    const owner = await runner.token({ sub: 'owner-4', email: 'owner-4@example.com', name: 'Otto Owner' });
    const created = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Feedback' } });
    const workspaceId = created.body.id;
    const addresses = {
      bounce: 'bounce@simulator.amazonses.com',
      complaint: 'complaint@simulator.amazonses.com',
      ordinary: 'ordinary-4@example.com',
    };
    const ids: Record<string, string> = {};
    for (const [name, email] of Object.entries(addresses)) {
      const invited = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
        token: owner,
        body: { email },
      });
      expect(invited.status).toBe(202);
      ids[name] = invited.body.id;
    }

    const deliveries = async () => {
      const seen: Record<string, { status?: string; failure?: string }> = {};
      for (const [name, id] of Object.entries(ids)) {
        const { body } = await http(runner, 'GET', `/api/invitations/${id}`, { token: owner });
        seen[name] = { status: body.delivery?.status, failure: body.delivery?.failure };
      }
      return seen;
    };
    const expected = {
      bounce: { status: 'BOUNCED', failure: 'Bounce.General' },
      complaint: { status: 'COMPLAINED', failure: 'Complaint.abuse' },
      ordinary: { status: 'SENT', failure: undefined },
    };
    const settled = JSON.stringify(expected);
    // The feedback arrives a moment after the email, as from SES through EventBridge.
    expect(await eventually(deliveries, (seen) => JSON.stringify(seen) === settled, 20_000)).toEqual(expected);
    // And they stay: the sender has handled every record since, the feedback's own writes included.
    await consumedStreamEnd(runner, 'stream-position.json');
    expect(await deliveries()).toEqual(expected);
  });
});
