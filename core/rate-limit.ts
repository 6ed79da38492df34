// What a target says of its rate limit, read from the headers of any answer: X-RateLimit-Limit,
// -Remaining and -Reset (the Temporal server's, GitHub's), the IETF headers (draft-ietf-httpapi-
// ratelimit-headers: RateLimit-Limit/-Remaining/-Reset of the early drafts, the later `RateLimit:
// "policy";r=…;t=…` with `RateLimit-Policy: "policy";q=…;w=…`, and the dictionary form `limit=…,
// remaining=…, reset=…` between them), and Retry-After. A 429 is its own verdict everywhere (a run cut
// short by the limit, not a fault of the API): RateLimitedError says so in words.
// A leaf module: it imports nothing, so the k6 scripts can load it too (by its full file name).

/** What the target grants, as far as its headers say. */
export interface RateLimit {
  /** Requests the window allows. */
  limit?: number;
  /** Requests left in the current window. */
  remaining?: number;
  /** When the window starts afresh, ms since the epoch. */
  resetAtMs?: number;
  /** The window's length in seconds: RateLimit-Policy's w, else DEFAULT_WINDOW_S (windowGiven false). */
  windowS: number;
  windowGiven: boolean;
  /** Retry-After, as a time (ms since the epoch). */
  retryAtMs?: number;
  /** The headers it was read from ('X-RateLimit-*', 'RateLimit', 'Retry-After'), for messages. */
  from: string[];
}

/** X-RateLimit-* name no window: taken as an hour, the Temporal server's (ulule/limiter "N-H", per
 *  client address) and GitHub's. */
export const DEFAULT_WINDOW_S = 3600;

/** In the messages of a run cut short by the limit; the release check and the matrix look for it. */
export const RATE_LIMITED = 'answered 429 (rate limited)';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Header names are matched without regard to case (k6 canonicalises them, fetch lower-cases them). */
function lookup(headers: Headers): (name: string) => string | undefined {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lower.set(k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v);
  return (name) => lower.get(name);
}

/** A whole number of requests or seconds, as the headers write them ("600", not "6e2" or "-1"). */
function count(v: string | undefined): number | undefined {
  const t = v?.trim();
  return t && /^\d{1,15}$/.test(t) ? Number(t) : undefined;
}

/** A reset header: seconds from now, or a time since the epoch in seconds (or milliseconds), whichever
 *  the number can be: GitHub and the Temporal server send epoch seconds, the IETF drafts seconds to wait. */
function resetAt(v: string | undefined, nowMs: number): number | undefined {
  const n = count(v);
  if (n === undefined) return undefined;
  if (n >= 1e12) return n;
  if (n >= 1e9) return n * 1000;
  return nowMs + n * 1000;
}

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
function retryAt(v: string | undefined, nowMs: number): number | undefined {
  const n = count(v);
  if (n !== undefined) return nowMs + n * 1000;
  const t = v ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** One member of a structured-field list: its item (a token, a "string" or a number) and its parameters. */
interface Member {
  item: string;
  params: Map<string, string>;
}

/** RFC 8941 lists, as far as these headers use them: `"a";q=10;w=60, b;r=5`. Quoted commas and semicolons are kept. */
function members(v: string): Member[] {
  const out: Member[] = [];
  for (const raw of v.match(/(?:"(?:[^"\\]|\\.)*"|[^,])+/g) ?? []) {
    const parts = raw.match(/(?:"(?:[^"\\]|\\.)*"|[^;])+/g) ?? [];
    const item = (parts[0] ?? '').trim().replace(/^"(.*)"$/, '$1');
    const params = new Map<string, string>();
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      params.set((eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : p.slice(eq + 1).trim());
    }
    out.push({ item, params });
  }
  return out;
}

/** The IETF headers: what `RateLimit` and `RateLimit-Policy` say (both forms), else the early drafts' three. */
function ietf(get: (name: string) => string | undefined, nowMs: number): Partial<RateLimit> | undefined {
  const combined = get('ratelimit');
  const policy = get('ratelimit-policy');
  const out: Partial<RateLimit> = {};
  if (combined) {
    const list = members(combined);
    // The dictionary form of the middle drafts: limit=100, remaining=50, reset=5.
    const dict = new Map(list.map((m) => m.item.split('=').map((x) => x.trim()) as [string, string | undefined]));
    if (dict.has('remaining') || dict.has('limit')) {
      out.limit = count(dict.get('limit'));
      out.remaining = count(dict.get('remaining'));
      out.resetAtMs = dict.has('reset') ? nowMs + (count(dict.get('reset')) ?? 0) * 1000 : undefined;
    } else {
      // The later form: one member per policy; the one with the fewest requests left is the one that binds.
      const tightest = list
        .filter((m) => count(m.params.get('r')) !== undefined)
        .sort((a, b) => count(a.params.get('r'))! - count(b.params.get('r'))!)[0];
      if (tightest) {
        out.remaining = count(tightest.params.get('r'));
        const t = count(tightest.params.get('t'));
        if (t !== undefined) out.resetAtMs = nowMs + t * 1000;
        const named = policy ? members(policy).find((m) => m.item === tightest.item) : undefined;
        if (named) {
          out.limit = count(named.params.get('q'));
          out.windowS = count(named.params.get('w'));
        }
      }
    }
  }
  if (policy && (out.limit === undefined || out.windowS === undefined)) {
    // `100;w=3600` (the quota as the item), or `"default";q=100;w=3600`.
    const first = members(policy)[0];
    out.limit ??= count(first?.params.get('q')) ?? count(first?.item);
    out.windowS ??= count(first?.params.get('w'));
  }
  out.limit ??= count(get('ratelimit-limit'));
  out.remaining ??= count(get('ratelimit-remaining'));
  if (out.resetAtMs === undefined && get('ratelimit-reset') !== undefined)
    out.resetAtMs = nowMs + (count(get('ratelimit-reset')) ?? 0) * 1000;
  return out.limit === undefined && out.remaining === undefined ? undefined : out;
}

/** What `headers` say of the target's rate limit; undefined when they say nothing of it. */
export function readRateLimit(headers: Headers, nowMs = Date.now()): RateLimit | undefined {
  const get = lookup(headers);
  const from: string[] = [];
  let r: Partial<RateLimit> = {};
  const x = { limit: count(get('x-ratelimit-limit')), remaining: count(get('x-ratelimit-remaining')) };
  if (x.limit !== undefined || x.remaining !== undefined) {
    r = { ...x, resetAtMs: resetAt(get('x-ratelimit-reset'), nowMs) };
    from.push('X-RateLimit-*');
  } else {
    const i = ietf(get, nowMs);
    if (i) {
      r = i;
      from.push('RateLimit');
    }
  }
  const retry = retryAt(get('retry-after'), nowMs);
  if (retry !== undefined) from.push('Retry-After');
  if (!from.length) return undefined;
  return {
    ...(r.limit !== undefined ? { limit: r.limit } : {}),
    ...(r.remaining !== undefined ? { remaining: r.remaining } : {}),
    ...(r.resetAtMs !== undefined ? { resetAtMs: r.resetAtMs } : {}),
    windowS: r.windowS ?? DEFAULT_WINDOW_S,
    windowGiven: r.windowS !== undefined,
    ...(retry !== undefined ? { retryAtMs: retry } : {}),
    from,
  };
}

/** When more requests are granted: Retry-After, else the window's reset. */
export const freeAtMs = (r: RateLimit): number | undefined => r.retryAtMs ?? r.resetAtMs;

/** 3600 → "hour", 60 → "minute", 90 → "90 s". */
export function windowWords(s: number): string {
  if (s === 3600) return 'hour';
  if (s === 60) return 'minute';
  if (s === 86_400) return 'day';
  if (s === 1) return 'second';
  return s % 3600 === 0 ? `${s / 3600} hours` : s % 60 === 0 ? `${s / 60} minutes` : `${s} s`;
}

/** "19:16:05 UTC, in 52 min"; the date too when it is not today's (UTC). */
export function whenWords(atMs: number, nowMs = Date.now()): string {
  const at = new Date(atMs).toISOString();
  const sameDay = at.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10);
  const left = Math.max(0, atMs - nowMs) / 1000;
  const inWords = left < 90 ? `${Math.ceil(left)} s` : left < 5400 ? `${Math.round(left / 60)} min` : `${(left / 3600).toFixed(1)} h`;
  return `${sameDay ? '' : `${at.slice(0, 10)} `}${at.slice(11, 19)} UTC, in ${inWords}`;
}

/** "600 requests per hour for this client" (the window said, or taken as an hour). */
export const limitWords = (r: RateLimit): string =>
  r.limit === undefined ? 'a limit it does not say' : `${r.limit} requests per ${windowWords(r.windowS)} for this client`;

/** "600 requests per hour for this client, 12 left until 19:16:05 UTC, in 52 min". */
export function describeRateLimit(r: RateLimit, nowMs = Date.now()): string {
  const free = freeAtMs(r);
  const parts = [
    ...(r.limit !== undefined ? [limitWords(r)] : []),
    ...(r.remaining !== undefined ? [`${r.remaining === 0 ? 'none' : r.remaining} left`] : []),
  ];
  const until = free !== undefined ? `until ${whenWords(free, nowMs)}` : '';
  return parts.length ? `${parts.join(', ')}${until ? ` ${until}` : ''}` : `more ${until || 'later'}`;
}

/** The requests a window of `r` allows in an hour (for a schedule's rate against it). */
export const perHour = (r: RateLimit): number | undefined => (r.limit === undefined ? undefined : (r.limit * 3600) / r.windowS);

/**
 * The target answered 429: its rate limit, not a fault of the API. Every part says so in these words
 * and gives it its own verdict (a test fails naming the limit; the release check is INCONCLUSIVE; a
 * monitor pass is throttled; k6 counts it apart).
 */
export class RateLimitedError extends Error {
  constructor(
    readonly request: { method: string; path: string },
    readonly limit: RateLimit | undefined,
    nowMs = Date.now(),
  ) {
    super(
      `${request.method} ${request.path} ${RATE_LIMITED}: the target's rate limit, not a fault of the API` +
        `${limit ? ` (${describeRateLimit(limit, nowMs)})` : ''}; wait for it, or ask for a higher limit for this client`,
    );
    this.name = 'RateLimitedError';
  }
}

/** Is this text (a test's error, a check's message) a run cut short by the target's rate limit? */
export const saysRateLimited = (text: string | undefined): boolean => text?.includes(RATE_LIMITED) === true;
