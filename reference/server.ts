// The reference target's HTTP server: node:http on loopback (node:https with `tls`), transport-level
// faults (latency, 5xx, outage, garbage, hang, drop; the certificate's) in front of the routes. Start it
// in-process with startTarget().
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BCRYPT_COST, MAX_REFRESH_S, MESSAGES, TOKEN_LIFETIME_S, type Generation } from '../core/contract.ts';
import { isLoopbackHost } from '../core/loopback.ts';
import { FaultSet, tlsFaultsIn } from './faults.ts';
import { certificateShape, type TargetCa } from './tls.ts';
import { LatestMiddleware, type MiddlewareOutcome, RateLimiter } from './middleware.ts';
import { smtpMailer, type Mailer } from './mailer.ts';
import { hasEmptyMultipartField, hasMarkupFormValue, onTheWire, paramRoute, ROUTES, type Deps, type Reply, type Req } from './routes.ts';
import { Store } from './store.ts';
import { TokenService } from './tokens.ts';

export interface TargetOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only. */
  host?: string;
  /** SQLite file; ':memory:' by default. */
  dbPath?: string;
  /** `name,name:param`, as TARGET_FAULTS. */
  faults?: string | readonly string[];
  tokenLifetimeS?: number;
  maxRefreshS?: number;
  /** HMAC key; a random one per start when omitted. */
  jwtKey?: string;
  realm?: string;
  /** The server's clock in ms, for tests that move time. */
  now?: () => number;
  logger?: Logger;
  /** `documented` (default) or `latest` (e-mail verification mandatory; see routes.ts). */
  generation?: Generation;
  /** Latest generation: the SMTP server the welcome mail goes to (smtp://host:port). */
  smtpUrl?: string;
  /** Instead of SMTP: self-tests that read the welcome mail straight from a mailer of their own. */
  mailer?: Mailer;
  /** TARGET_RATE_LIMIT: requests per hour per client, as the real server limits them, in either
   *  generation (default: none in the documented one, the -dev build's 100 000 in the latest). */
  rateLimit?: number;
  /** Serve https, with a certificate this CA signs (TARGET_TLS=true); the certificate faults bend it. */
  tls?: TargetCa;
  /** bcrypt's cost (TARGET_BCRYPT_COST); the real server's 10 by default. */
  bcryptCost?: number;
}

export interface RunningTarget {
  url: string;
  port: number;
  store: Store;
  faults: FaultSet;
  generation: Generation;
  /** The CA file its certificate chains to, when it serves TLS (what TARGET_CA_FILE must name). */
  caFile?: string;
  /** Resolves once the welcome mails handed to SMTP so far were sent (or given up). */
  mailsSent(): Promise<void>;
  /** Changes the faults in force without a restart (accounts stay). */
  setFaults(spec: string | readonly string[]): void;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const JSON_TYPE = 'application/json; charset=utf-8';
const GARBAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad ' +
  'Gateway</h1></center><hr><center>nginx</center></body></html>';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON answer that never ends: written as fast as the client reads, until it hangs up. */
function endless(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(200, { 'content-type': JSON_TYPE });
  res.write('{"code":200,"response":"');
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
  };
  res.on('drain', pump);
  res.on('error', () => {});
  pump();
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.raw ?? JSON.stringify(reply.json);
  const type =
    reply.contentType === undefined
      ? { 'content-type': JSON_TYPE }
      : reply.contentType === null
        ? {}
        : { 'content-type': reply.contentType };
  res.writeHead(reply.status, { ...type, 'content-length': Buffer.byteLength(body), ...reply.headers });
  res.end(body);
}

export async function startTarget(opts: TargetOptions = {}): Promise<RunningTarget> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`the reference target listens on loopback only, not '${host}'`);
  const faults = new FaultSet(opts.faults ?? '');
  const now = opts.now ?? Date.now;
  const store = new Store(opts.dbPath ?? ':memory:');
  const jwtKey = opts.jwtKey ?? randomBytes(32).toString('hex');
  const generation = opts.generation ?? 'documented';
  const log = opts.logger;
  if (generation === 'latest' && !opts.smtpUrl && !opts.mailer)
    log?.warn('reference target: latest generation without TARGET_SMTP_URL: welcome mails are not sent, so no account can be verified');
  const mailer: Mailer | undefined =
    generation !== 'latest' ? undefined : (opts.mailer ?? (opts.smtpUrl ? smtpMailer(opts.smtpUrl, log) : undefined));
  const tokens = new TokenService({
    key: jwtKey,
    realm: opts.realm ?? 'temporal-reference',
    lifetimeS: opts.tokenLifetimeS ?? TOKEN_LIFETIME_S,
    maxRefreshS: opts.maxRefreshS ?? MAX_REFRESH_S,
    now,
    faults,
  });
  const deps: Deps = { store, tokens, faults, now, generation, jwtKey, mailer, bcryptCost: opts.bcryptCost ?? BCRYPT_COST };
  const sockets = new Set<Socket>();

  const middleware =
    generation === 'latest' ? new LatestMiddleware(now, opts.rateLimit) : opts.rateLimit ? new RateLimiter(now, opts.rateLimit) : undefined;
  // The fault rate-limited: a limit of its own, counted while the fault is on (faults switch at run time).
  let faultLimiter: RateLimiter | undefined;
  const faultLimit = (req: IncomingMessage): MiddlewareOutcome | undefined => {
    if (!faults.has('rate-limited')) return undefined;
    const limit = faults.param('rate-limited');
    if (faultLimiter?.limit !== limit) faultLimiter = new RateLimiter(now, limit);
    return faultLimiter.handle(req.headers, req.socket.remoteAddress ?? '');
  };
  // The certificate the faults in force ask for (a clean one: 90 days, for the loopback names).
  const certificate = () => {
    if (!opts.tls) {
      const tlsFaults = tlsFaultsIn(faults);
      if (tlsFaults.length) throw new Error(`${tlsFaults.join(', ')}: a fault of the TLS certificate, and this target serves plain HTTP`);
      return undefined;
    }
    return opts.tls.issue(
      certificateShape({
        expired: faults.has('cert-expired'),
        expiringDays: faults.has('cert-expiring') ? faults.param('cert-expiring') : undefined,
        wrongHost: faults.has('cert-wrong-host'),
      }),
    );
  };
  const served = certificate();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      // The latest server's middleware: CORS, the rate limit and the request id, on every answer (in
      // the documented generation, the rate limit alone when one is asked for).
      const usual: MiddlewareOutcome | undefined =
        middleware instanceof RateLimiter
          ? middleware.handle(req.headers, req.socket.remoteAddress ?? '')
          : middleware?.handle(req.method ?? 'GET', req.headers, req.socket.remoteAddress ?? '');
      if (usual) for (const [name, value] of Object.entries(usual.headers)) res.setHeader(name, value);
      // The fault's limit after the usual one: its headers and its 429 win.
      const limited = faultLimit(req);
      if (limited) for (const [name, value] of Object.entries(limited.headers)) res.setHeader(name, value);
      const mw = limited && 'body' in limited ? limited : usual;
      const answered = mw && 'body' in mw ? (mw as Extract<MiddlewareOutcome, { body: string }>) : undefined;
      if (answered) {
        res.writeHead(answered.status, {
          ...(answered.contentType ? { 'content-type': answered.contentType } : {}),
          'content-length': Buffer.byteLength(answered.body),
        });
        return res.end(answered.body);
      }
      const isApi = path.startsWith('/v2/');
      if (isApi) {
        if (faults.has('drop')) return req.socket.destroy();
        if (faults.has('hang')) return; // held open until the client gives up or the target closes
        if (faults.has('latency')) await sleep(faults.param('latency'));
        if (faults.has('outage')) return send(res, { status: 503, json: { code: 503, response: 'service unavailable' } });
        if (faults.has('errors-5xx') && Math.random() < faults.param('errors-5xx')) {
          const status = Math.random() < 0.5 ? 502 : 503;
          return send(res, { status, json: { code: status, response: 'upstream error' } });
        }
        if (faults.has('redirect')) {
          // A proxy in front sends every request to a sign-in page on another host: nothing may follow it.
          res.writeHead(302, { location: `https://sso.example.invalid/login?next=${encodeURIComponent(path)}`, 'content-length': 0 });
          return res.end();
        }
        if (faults.has('garbage')) {
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(GARBAGE);
        }
        if (faults.has('endless-body')) return endless(res);
      }
      const route = ROUTES[`${req.method} ${path}`] ?? paramRoute(req.method ?? '', path, deps);
      if (!route) {
        // gin's default 404, also for a known path with another method.
        res.writeHead(404, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(MESSAGES.notFound) });
        return res.end(MESSAGES.notFound);
      }
      const body = await readBody(req);
      const r: Req = { method: req.method ?? 'GET', path, headers: req.headers, body };
      // A filter in front of the handlers that gives up on a form part it cannot copy and aborts
      // without writing: what the client sees is gin's default, 200 with no body.
      if (
        (faults.has('empty-field-200') && (await hasEmptyMultipartField(r))) ||
        (faults.has('form-markup-empty-200') && (await hasMarkupFormValue(r)))
      ) {
        res.writeHead(200, { 'content-length': '0' });
        return res.end();
      }
      send(res, onTheWire(await route(r, deps), faults));
    } catch (err) {
      log?.error({ err, path }, 'reference target: handler failed');
      if (!res.headersSent) send(res, { status: 500, json: { code: 500, response: 'internal server error' } });
      else res.destroy();
    }
  };
  const server = served ? createTlsServer(served, handle) : createServer(handle);
  server.keepAliveTimeout = 65_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${served ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log?.info({ url, generation, faults: faults.list() }, 'reference target listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    faults,
    generation,
    ...(opts.tls ? { caFile: opts.tls.caFile } : {}),
    mailsSent: async () => mailer?.flush(),
    setFaults: (spec) => {
      const before = faults.list();
      faults.set(spec);
      try {
        // New connections get the certificate of the new faults.
        const next = certificate();
        if (next && 'setSecureContext' in server) server.setSecureContext(next);
      } catch (err) {
        faults.set(before);
        throw err;
      }
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(async () => {
          // Mails handed over just before are let out, within a bound.
          await Promise.race([mailer?.flush(), sleep(2000)]);
          mailer?.close();
          store.close();
          resolve();
        });
        for (const s of sockets) s.destroy();
      })),
  };
}
