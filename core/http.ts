// The wire: one small interface the client sends through, with a fetch implementation (monitor,
// scripts) and a Playwright one (tests, so requests land in Playwright's traces and reports).
// Neither follows a redirect: the API has none, and one is a failure naming where it pointed.
import { excerpt } from './redact.ts';
import { CERT_WORDS, type CertProblem, nodeCertProblem } from './tls-words.ts';

export type RequestBody =
  | { kind: 'text'; contentType: string; data: string }
  /** What the documented browser client's FormData sends: multipart/form-data. */
  | { kind: 'multipart'; fields: Record<string, string> };

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  body?: RequestBody;
  timeoutMs: number;
  /** The largest body read; a larger answer is cut there and fails (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** HTTP_MAX_BODY_BYTES's default: the API's largest answer is a few KB; 1 MiB leaves room for
 *  drift while a body with no end cannot take the process's memory (the CronJob has 256 Mi). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** 1048576 → "1 MiB", 1536 → "1.5 KiB". */
export function humanBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

type Kind = 'timeout' | 'refused' | 'reset' | 'cut-off' | 'not-http' | 'too-large' | 'redirect' | 'dns' | 'tls' | 'other';

/** The request got no usable HTTP answer: refused, reset, dropped mid-answer, not HTTP, too large,
 *  timed out, DNS, a TLS certificate not trusted (or expired, or for another host). Says which, in words. */
export class TransportError extends Error {
  constructor(
    readonly kind: Kind,
    readonly request: { method: string; url: string },
    readonly detail: string,
    readonly phrase: string = TransportError.words[kind],
    /** For kind 'tls': which certificate problem (core/tls-words.ts). */
    readonly certificate?: CertProblem,
  ) {
    super(`${request.method} ${request.url}: ${phrase} (${detail})`);
    this.name = 'TransportError';
  }

  /** The same failure with `hide` applied to its URL and detail: a URL can hold a secret in its path
   *  (a verification link's token), and the message quotes the URL. */
  hiding(hide: (text: string) => string): TransportError {
    return new TransportError(
      this.kind,
      { method: this.request.method, url: hide(this.request.url) },
      hide(this.detail),
      this.phrase,
      this.certificate,
    );
  }
  static readonly words: Record<Kind, string> = {
    timeout: 'no answer within the time limit',
    refused: 'connection refused: nothing is listening',
    reset: 'the connection was dropped before an answer',
    'cut-off': 'the connection was dropped in the middle of the answer',
    'not-http': 'the answer could not be read as HTTP',
    'too-large': 'the answer was cut at the size limit',
    redirect: 'the answer was a redirect, which the harness does not follow',
    dns: 'the host name does not resolve',
    tls: CERT_WORDS.handshake,
    other: 'the request failed',
  };

  /** The answer is larger than the request's limit: it was cut there, unread. */
  static tooLarge(req: HttpRequest, status: number, contentType: string | undefined): TransportError {
    const limit = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    return new TransportError(
      'too-large',
      { method: req.method, url: req.url },
      `HTTP ${status}${contentType ? `, ${contentType}` : ''}`,
      `the answer was cut at ${humanBytes(limit)}: its body is larger than HTTP_MAX_BODY_BYTES allows`,
    );
  }

  /** The answer is a redirect: never followed (it could carry a password, a token or heavy traffic to
   *  a host nobody named), a failure that says where it pointed. */
  static redirect(req: Pick<HttpRequest, 'method' | 'url'>, status: number, location: string): TransportError {
    return new TransportError(
      'redirect',
      { method: req.method, url: req.url },
      `HTTP ${status}`,
      `the answer was a redirect to ${redirectTarget(location, req.url)}, which the harness does not follow`,
    );
  }

  /** Classifies a low-level error from fetch/undici or Playwright. `answering`: the headers had come. */
  static from(err: unknown, req: HttpRequest, answering = false): TransportError {
    if (err instanceof TransportError) return err;
    const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
    const code = e?.cause?.code ?? e?.code ?? '';
    // The first line only: Playwright appends a call log whose lines (headers, "timeout 10000ms") would mislead.
    const text = `${(e?.message ?? '').split('\n')[0]} ${e?.cause?.message ?? ''}`;
    // Before the rest: a refused certificate also closes the connection, which would read as a reset.
    const certificate = nodeCertProblem(code, text);
    if (certificate) {
      // The code names it for the log; a host mismatch also says which names the certificate has.
      const said = (e?.cause?.message ?? e?.message ?? code).split('\n')[0]!.replace(/^apiRequestContext\.fetch: /, '');
      const detail = certificate === 'wrong-host' ? said.slice(0, 200) : code || said.slice(0, 120);
      return new TransportError('tls', { method: req.method, url: req.url }, detail, CERT_WORDS[certificate], certificate);
    }
    const kind: Kind =
      e?.name === 'TimeoutError' || e?.name === 'AbortError' || /Timeout|timed out/i.test(text) || code === 'UND_ERR_HEADERS_TIMEOUT'
        ? 'timeout'
        : code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)
          ? 'refused'
          : /^(HPE_|Z_)/.test(code) || /Parse Error|incorrect header check|decompress/i.test(text)
            ? 'not-http'
            : // Playwright says "aborted" when the connection closes after the headers, undici "terminated".
              answering || /(^|: )aborted\b|\bterminated\b/.test(text)
              ? 'cut-off'
              : // EPIPE: the server closed while the request body was still being sent.
                code === 'ECONNRESET' ||
                  code === 'EPIPE' ||
                  code === 'UND_ERR_SOCKET' ||
                  /ECONNRESET|EPIPE|socket hang up|other side closed/i.test(text)
                ? 'reset'
                : code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(text)
                  ? 'dns'
                  : 'other';
    // A timeout's own code says nothing (DOMException code 23); the limit that ran out does.
    const firstLine = (e?.message ?? '').split('\n')[0]!.replace(/^apiRequestContext\.fetch: /, '');
    const detail = kind === 'timeout' ? `${req.timeoutMs} ms` : String(code || firstLine.slice(0, 120) || e?.name || 'error');
    return new TransportError(kind, { method: req.method, url: req.url }, detail);
  }
}

/** Where a redirect pointed, as messages show it: resolved against the request, redacted (a URL may
 *  carry a token or a password), control characters escaped, cut. */
export function redirectTarget(location: string, base: string): string {
  const absolute = URL.canParse(location, base) ? new URL(location, base).href : location;
  return excerpt(absolute, 200);
}

/** A 3xx with a Location: a redirect (a 304 has none, and is an answer like any other). */
export const redirectLocation = (status: number, location: string | null | undefined): string | undefined =>
  status >= 300 && status < 400 && location ? location : undefined;

/** A signal that aborts after `ms` (with a TimeoutError, as AbortSignal.timeout does) or when `also`
 *  aborts, or when abort() is called. The timer is a real one, held until clear(): Node 20's
 *  AbortSignal.any holds an AbortSignal.timeout only weakly, and after a garbage collection a request
 *  given such a composite never timed out (it waited for the server's own limit, 300 s for Node's
 *  http server; selftest/core/http-limits.test.ts shows it). */
export function deadline(ms: number, also?: AbortSignal): { signal: AbortSignal; abort(): void; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const follow = () => controller.abort(also?.reason);
  if (also?.aborted) follow();
  else also?.addEventListener('abort', follow, { once: true });
  const clear = () => {
    clearTimeout(timer);
    also?.removeEventListener('abort', follow);
  };
  return { signal: controller.signal, abort: () => controller.abort(), clear };
}

/** fetch (undici) transport. Reads the body itself, to stop at the size limit. */
export const fetchTransport: Transport = async (req) => {
  let body: string | FormData | undefined;
  const headers = { ...req.headers };
  if (req.body?.kind === 'text') {
    body = req.body.data;
    headers['content-type'] = req.body.contentType;
  } else if (req.body?.kind === 'multipart') {
    const form = new FormData();
    for (const [k, v] of Object.entries(req.body.fields)) form.append(k, v);
    body = form;
  }
  const limit = req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // One time limit for the whole exchange, body included.
  const stop = deadline(req.timeoutMs);
  let answering = false;
  try {
    const res = await fetch(req.url, { method: req.method, headers, body, signal: stop.signal, redirect: 'manual' });
    answering = true;
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      out[k] = v;
    });
    const location = redirectLocation(res.status, out.location);
    if (location) {
      stop.abort();
      throw TransportError.redirect(req, res.status, location);
    }
    const tooLarge = () => {
      stop.abort();
      return TransportError.tooLarge(req, res.status, out['content-type']);
    };
    if (Number(out['content-length']) > limit) throw tooLarge();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body)
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        if (size > limit) throw tooLarge();
        chunks.push(chunk);
      }
    return { status: res.status, headers: out, text: new TextDecoder().decode(Buffer.concat(chunks)) };
  } catch (err) {
    throw TransportError.from(err, req, answering);
  } finally {
    stop.clear();
  }
};
