/**
 * A layer in front of the local SES emulator that behaves the way SES and networks misbehave,
 * so every delivery path runs on one machine. Faults apply to SendEmail only, each with a rate:
 * `throttle` (429 TooManyRequestsException), `server-error` (500), `drop-before` (the connection
 * closes before SES sees the request), `drop-after` (SES accepted and stored the email, then the
 * connection closes before the answer), `hang` (no answer ever). Sandbox mode refuses recipients
 * that are not verified with the MessageRejected error SES gives.
 *
 * Configured at start from SES_FAULTS (`throttle=0.1,hang=0.02`), SES_SANDBOX and
 * SES_VERIFIED_RECIPIENTS, and at run time over HTTP on its own port:
 * `GET /_local/faults` (settings and counts), `PUT /_local/faults` with `{"rates": {…}, "next": […]}`
 * (`next` lists faults for the next calls, in order, before the rates apply),
 * `PUT /_local/sandbox` with `{"enabled": true, "verified": ["a@example.com"]}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const FAULTS = ['throttle', 'server-error', 'drop-before', 'drop-after', 'hang'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultSettings {
  rates: Partial<Record<Fault, number>>;
  next: Fault[];
  sandbox: { enabled: boolean; verified: string[] };
}

export type FaultCounts = Record<Fault | 'requests' | 'accepted' | 'sandboxRejected', number>;

const SEND_EMAIL = /^\/v2\/email\/outbound-emails\/?$/;
const CONTROL = '/_local/';

export class SesFaultLayer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  readonly settings: FaultSettings;
  counts: FaultCounts = emptyCounts();

  constructor(
    private readonly upstream: string,
    settings: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = {
      rates: settings.rates ?? {},
      next: settings.next ?? [],
      sandbox: settings.sandbox ?? { enabled: false, verified: [] },
    };
  }

  async listen(port: number): Promise<string> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(502, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ message: `SES emulator unreachable: ${(error as Error).message}` }));
        }
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] as string;
    if (path.startsWith(CONTROL)) return this.control(request, path, body, response);
    if (request.method !== 'POST' || !SEND_EMAIL.test(path)) return this.forward(request, body, response);

    this.counts.requests += 1;
    const fault = this.settings.next.shift() ?? this.draw();
    if (fault) this.counts[fault] += 1;
    switch (fault) {
      case 'drop-before':
        request.socket.destroy();
        return;
      case 'hang':
        return;
      case 'throttle':
        return sesError(response, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
      case 'server-error':
        return sesError(
          response,
          500,
          'InternalFailure',
          'The request processing has failed because of an unknown error.',
        );
    }
    const refused = this.sandboxRefusal(body);
    if (refused) {
      this.counts.sandboxRejected += 1;
      return sesError(
        response,
        400,
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region US-EAST-1: ${refused}`,
      );
    }
    const answer = await this.askUpstream(request, body);
    if (answer.status < 300) this.counts.accepted += 1;
    if (fault === 'drop-after') {
      request.socket.destroy();
      return;
    }
    reply(response, answer);
  }

  private draw(): Fault | undefined {
    let roll = this.random();
    for (const fault of FAULTS) {
      const rate = this.settings.rates[fault] ?? 0;
      if (roll < rate) return fault;
      roll -= rate;
    }
    return undefined;
  }

  /** The first recipient the sandbox refuses, if sandbox mode is on. */
  private sandboxRefusal(body: string): string | undefined {
    if (!this.settings.sandbox.enabled) return undefined;
    let to: string[] = [];
    try {
      to = (JSON.parse(body) as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? [];
    } catch {
      return undefined;
    }
    const verified = new Set(this.settings.sandbox.verified.map((address) => address.toLowerCase()));
    return to.find((address) => !verified.has(address.toLowerCase()));
  }

  private async forward(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    reply(response, await this.askUpstream(request, body));
  }

  /** The emulator's answer to the request as it came, signature and all. */
  private async askUpstream(request: IncomingMessage, body: string): Promise<UpstreamAnswer> {
    const answer = await fetch(`${this.upstream}${request.url}`, {
      method: request.method,
      headers: passOn(request),
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
    });
    return {
      status: answer.status,
      contentType: answer.headers.get('content-type') ?? 'text/plain',
      body: Buffer.from(await answer.arrayBuffer()),
    };
  }

  private control(request: IncomingMessage, path: string, body: string, response: ServerResponse): void {
    const [status, value] = this.controlAnswer(`${request.method} ${path}`, body);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  }

  private controlAnswer(call: string, body: string): [number, unknown] {
    let input: unknown;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return [400, { message: 'The body must be JSON.' }];
    }
    if (call === 'GET /_local/faults') return [200, { ...this.settings, counts: this.counts }];
    if (call === 'PUT /_local/faults') {
      const { rates, next, resetCounts } = input as { rates?: unknown; next?: unknown; resetCounts?: boolean };
      const problem = ratesProblem(rates) ?? nextProblem(next);
      if (problem) return [400, { message: problem }];
      if (rates) this.settings.rates = rates as FaultSettings['rates'];
      if (next) this.settings.next = [...(next as Fault[])];
      if (resetCounts) this.counts = emptyCounts();
      return [200, { ...this.settings, counts: this.counts }];
    }
    if (call === 'PUT /_local/sandbox') {
      const { enabled, verified } = input as { enabled?: unknown; verified?: unknown };
      if (typeof enabled !== 'boolean') return [400, { message: '"enabled" must be true or false.' }];
      if (verified !== undefined && !(Array.isArray(verified) && verified.every((v) => typeof v === 'string'))) {
        return [400, { message: '"verified" must be a list of addresses.' }];
      }
      this.settings.sandbox = {
        enabled,
        verified: (verified as string[] | undefined) ?? this.settings.sandbox.verified,
      };
      return [200, this.settings.sandbox];
    }
    return [404, { message: `No such control: ${call}` }];
  }
}

/** SES_FAULTS, SES_SANDBOX and SES_VERIFIED_RECIPIENTS as fault settings; throws on a malformed value. */
export function faultSettingsFrom(env: NodeJS.ProcessEnv): Partial<FaultSettings> {
  const rates: Partial<Record<Fault, number>> = {};
  for (const part of (env.SES_FAULTS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((piece) => piece.trim());
    rates[name as Fault] = Number(value);
  }
  const problem = ratesProblem(rates);
  if (problem) throw new Error(`SES_FAULTS: ${problem} (e.g. "throttle=0.1,hang=0.02")`);
  const sandbox = env.SES_SANDBOX?.trim().toLowerCase();
  if (sandbox && !['true', 'false', '1', '0'].includes(sandbox)) throw new Error('SES_SANDBOX must be true or false.');
  return {
    rates,
    sandbox: {
      enabled: sandbox === 'true' || sandbox === '1',
      verified: (env.SES_VERIFIED_RECIPIENTS ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    },
  };
}

function ratesProblem(rates: unknown): string | undefined {
  if (rates === undefined) return undefined;
  if (typeof rates !== 'object' || rates === null) return '"rates" must be an object of fault rates.';
  let total = 0;
  for (const [name, rate] of Object.entries(rates)) {
    if (!(FAULTS as readonly string[]).includes(name)) return `unknown fault "${name}"; faults: ${FAULTS.join(', ')}`;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) return `the rate of ${name} must be between 0 and 1`;
    total += rate;
  }
  return total > 1 ? 'the rates add up to more than 1' : undefined;
}

function nextProblem(next: unknown): string | undefined {
  if (next === undefined) return undefined;
  if (!Array.isArray(next) || !next.every((fault) => (FAULTS as readonly string[]).includes(fault))) {
    return `"next" must list faults among ${FAULTS.join(', ')}`;
  }
  return undefined;
}

function emptyCounts(): FaultCounts {
  return Object.fromEntries(
    [...FAULTS, 'requests', 'accepted', 'sandboxRejected'].map((name) => [name, 0]),
  ) as FaultCounts;
}

interface UpstreamAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

function reply(response: ServerResponse, answer: UpstreamAnswer): void {
  response.writeHead(answer.status, { 'content-type': answer.contentType });
  response.end(answer.body);
}

function sesError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ message }));
}

/** The request's headers (the signature, the content type) without those of this hop. */
function passOn(request: IncomingMessage): Record<string, string> {
  const hop = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
  return Object.fromEntries(
    Object.entries(request.headers).filter(
      (entry): entry is [string, string] => !hop.has(entry[0]) && typeof entry[1] === 'string',
    ),
  );
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
