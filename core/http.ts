// The wire: one small interface the client sends through, with a fetch implementation (monitor,
// scripts) and a Playwright one (tests, so requests land in Playwright's traces and reports).

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
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** The request never got an HTTP answer: refused, reset, timed out, DNS. Says which, in words. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'refused' | 'reset' | 'dns' | 'other',
    readonly request: { method: string; url: string },
    detail: string,
  ) {
    super(`${request.method} ${request.url}: ${TransportError.words[kind]} (${detail})`);
    this.name = 'TransportError';
  }
  static readonly words = {
    timeout: 'no answer within the time limit',
    refused: 'connection refused: nothing is listening',
    reset: 'the connection was dropped before an answer',
    dns: 'the host name does not resolve',
    other: 'the request failed',
  } as const;

  /** Classifies a low-level error from fetch/undici or Playwright. */
  static from(err: unknown, req: HttpRequest): TransportError {
    const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
    const code = e?.cause?.code ?? e?.code ?? '';
    const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''}`;
    const kind =
      e?.name === 'TimeoutError' || e?.name === 'AbortError' || /Timeout|timed out/i.test(text) || code === 'UND_ERR_HEADERS_TIMEOUT'
        ? 'timeout'
        : code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)
          ? 'refused'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || /ECONNRESET|socket hang up|other side closed/i.test(text)
            ? 'reset'
            : code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(text)
              ? 'dns'
              : 'other';
    // A timeout's own code says nothing (DOMException code 23); the limit that ran out does.
    const detail = kind === 'timeout' ? `${req.timeoutMs} ms` : String(code || e?.name || 'error');
    return new TransportError(kind, { method: req.method, url: req.url }, detail);
  }
}

/** fetch (undici) transport. */
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
  try {
    const res = await fetch(req.url, { method: req.method, headers, body, signal: AbortSignal.timeout(req.timeoutMs), redirect: 'manual' });
    const text = await res.text();
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      out[k] = v;
    });
    return { status: res.status, headers: out, text };
  } catch (err) {
    throw TransportError.from(err, req);
  }
};
