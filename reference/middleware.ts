// The latest server's middleware chain, in its order (RTradeLtd/Temporal api/v2/api.go setupRoutes),
// for every answer, the 404s included: CORS (rs/cors 1.7 as the -dev build configures it: any
// origin, with credentials), the rate limit (ulule/limiter v3: a fixed hourly window per client
// address, X-Forwarded-For first, 429 `Limit exceeded` past it), then a request id (a UUID in
// X-Request-Id). The XSS filter and the security headers (gin-contrib/secure, off in -dev) add nothing
// a client sees here. The documented generation has none of this: its documentation says nothing of it.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The -dev build's rate: "100000-H" (production: api.connection.limit per hour). */
export const RATE_LIMIT = 100_000;
const WINDOW_MS = 3_600_000;
/** Client addresses remembered at most; the oldest windows go first beyond it. */
const MAX_CLIENTS = 10_000;

const ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT', 'HEAD'];
const ALLOWED_HEADERS = [
  'cache-control',
  'authorization',
  'x-request-id',
  'origin',
  'accept',
  'content-type',
  'x-requested-with',
  'user-agent',
];

export type MiddlewareOutcome =
  /** Go on to the route, with these headers on its answer. */
  | { headers: Record<string, string | string[]> }
  /** Answered here (a CORS preflight, or the rate limit reached): status, headers, body. */
  | { status: number; headers: Record<string, string | string[]>; body: string; contentType?: string };

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/** ulule/limiter as the server runs it: a fixed window per client address (gin's ClientIP with
 *  ForwardedByClientIP: the first X-Forwarded-For entry, X-Real-Ip, else the peer), `limit` requests
 *  in it, X-Ratelimit-* on every answer and 429 `Limit exceeded` (text/plain) past it. Also the bundled
 *  target's TARGET_RATE_LIMIT, in either generation. */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetMs: number }>();

  constructor(
    private readonly now: () => number,
    readonly limit = RATE_LIMIT,
  ) {}

  private client(h: IncomingHttpHeaders, peer: string): string {
    const forwarded = first(h['x-forwarded-for']).split(',')[0]!.trim();
    return forwarded || first(h['x-real-ip']).trim() || peer;
  }

  private hit(client: string): { count: number; resetMs: number } {
    const now = this.now();
    let w = this.windows.get(client);
    if (!w || w.resetMs <= now) {
      if (this.windows.size >= MAX_CLIENTS)
        for (const [k, v] of this.windows) if (v.resetMs <= now || this.windows.size >= MAX_CLIENTS) this.windows.delete(k);
      w = { count: 0, resetMs: now + WINDOW_MS };
      this.windows.set(client, w);
    }
    w.count++;
    return w;
  }

  /** Counts the request; its headers, and the 429 answer when the window is used up. */
  handle(h: IncomingHttpHeaders, peer: string): MiddlewareOutcome {
    const w = this.hit(this.client(h, peer));
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, this.limit - w.count)),
      'x-ratelimit-reset': String(Math.floor(w.resetMs / 1000)),
    };
    if (w.count > this.limit) return { status: 429, headers, body: 'Limit exceeded', contentType: 'text/plain; charset=utf-8' };
    return { headers };
  }
}

export class LatestMiddleware {
  private readonly limiter: RateLimiter;

  constructor(now: () => number, limit = RATE_LIMIT) {
    this.limiter = new RateLimiter(now, limit);
  }

  handle(method: string, h: IncomingHttpHeaders, peer: string): MiddlewareOutcome {
    const origin = first(h.origin);
    const preflightMethod = first(h['access-control-request-method']);
    // CORS preflight: answered 200 with no body, before the rate limit (rs/cors + its gin wrapper).
    if (method === 'OPTIONS' && preflightMethod) {
      const headers: Record<string, string | string[]> = {
        vary: ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'],
      };
      const asked = first(h['access-control-request-headers'])
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const allowed =
        ALLOWED_METHODS.includes(preflightMethod.toUpperCase()) && asked.every((x) => ALLOWED_HEADERS.includes(x.toLowerCase()));
      if (origin && allowed) {
        headers['access-control-allow-origin'] = '*';
        headers['access-control-allow-methods'] = preflightMethod.toUpperCase();
        // Named as Go's http.CanonicalHeaderKey writes them (content-type → Content-Type).
        const canonical = (x: string) => x.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
        if (asked.length) headers['access-control-allow-headers'] = asked.map(canonical).join(', ');
        headers['access-control-allow-credentials'] = 'true';
      }
      return { status: 200, headers, body: '' };
    }
    const headers: Record<string, string | string[]> = { vary: 'Origin' };
    if (origin && ALLOWED_METHODS.includes(method)) {
      headers['access-control-allow-origin'] = '*';
      headers['access-control-allow-credentials'] = 'true';
    }
    const limited = this.limiter.handle(h, peer);
    Object.assign(headers, limited.headers);
    if ('status' in limited) return { ...limited, headers };
    headers['x-request-id'] = randomUUID();
    return { headers };
  }
}
