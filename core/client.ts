// The typed API client: each call sent the way the documented clients send it, answered with
// status, headers, timing and the parsed body. It never throws on an HTTP status the API answers
// (tests assert on those); it throws TransportError when no HTTP answer came at all, and
// RateLimitedError for a 429: the target's rate limit is no answer of the API's, and every part gives
// it its own verdict. It counts the requests it sends and keeps the rate limit the last answer
// announced (core/rate-limit.ts), so a part knows what it spent and what is left.
import { API_PATHS, type Endpoint } from './contract.ts';
import { DEFAULT_MAX_BODY_BYTES, fetchTransport, type HttpRequest, type RequestBody, type Transport } from './http.ts';
import { RateLimitedError, readRateLimit, type RateLimit } from './rate-limit.ts';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Wall time of the exchange, in milliseconds. */
  ms: number;
  /** The body parsed as JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  text: string;
  /** True when the body was JSON. */
  json: boolean;
  /** Which of the contract's endpoints answered (undefined for a path outside it): drift is reported per endpoint. */
  endpoint?: Endpoint;
}

/** A bearer token, or a whole Authorization header value (`{ header: 'Basic x' }`) for negative tests. */
export type Auth = string | { header: string } | undefined;

export interface LoginForm {
  username?: string;
  password?: string;
}
export interface RegisterForm {
  username?: string;
  password?: string;
  email_address?: string;
}
export interface ChangePasswordForm {
  old_password?: string;
  new_password?: string;
}

export interface ClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** HTTP_MAX_BODY_BYTES: a larger answer is cut there and is a TransportError. */
  maxBodyBytes?: number;
  transport?: Transport;
}

const ENDPOINT_AT = new Map(Object.entries(API_PATHS).map(([name, path]) => [path as string, name as Endpoint]));

/** The endpoint a path is, the verification link's (`…/verify/<username>/<token>`) included. */
const endpointAt = (path: string): Endpoint | undefined =>
  ENDPOINT_AT.get(path) ?? (path.startsWith(`${API_PATHS.verifyEmail}/`) ? 'verifyEmail' : undefined);

const dropUndefined = (o: object): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;

export class TemporalClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  private readonly transport: Transport;
  /** Requests sent (answered or not), for what a part costs the target. */
  sent = 0;
  private lastHeaders?: { headers: Record<string, string>; atMs: number };

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.transport = opts.transport ?? fetchTransport;
  }

  /** POST /v2/auth/login. JSON sent as text/plain, as the documented browser client does. */
  login(form: LoginForm): Promise<ApiResponse> {
    return this.send('POST', API_PATHS.login, undefined, {
      kind: 'text',
      contentType: 'text/plain;charset=UTF-8',
      data: JSON.stringify(form),
    });
  }

  /** GET /v2/auth/refresh with the current token. */
  refresh(auth: Auth): Promise<ApiResponse> {
    return this.send('GET', API_PATHS.refresh, auth);
  }

  /** POST /v2/auth/register as FormData. Omitted fields are not sent (to test `<field> not present`). */
  register(form: RegisterForm): Promise<ApiResponse> {
    return this.send('POST', API_PATHS.register, undefined, { kind: 'multipart', fields: dropUndefined(form) });
  }

  /** POST /v2/account/password/change as FormData. */
  changePassword(auth: Auth, form: ChangePasswordForm): Promise<ApiResponse> {
    return this.send('POST', API_PATHS.changePassword, auth, { kind: 'multipart', fields: dropUndefined(form) });
  }

  /** GET /v2/account/credits/available */
  creditsAvailable(auth: Auth): Promise<ApiResponse> {
    return this.send('GET', API_PATHS.creditsAvailable, auth);
  }

  /** POST /v2/account/upgrade — irreversible on a real target. */
  upgrade(auth: Auth): Promise<ApiResponse> {
    return this.send('POST', API_PATHS.upgrade, auth);
  }

  /** GET /v2/account/usage */
  usage(auth: Auth): Promise<ApiResponse> {
    return this.send('GET', API_PATHS.usage, auth);
  }

  /** GET /v2/account/token/username: the cheapest "is this token accepted" probe. */
  tokenUsername(auth: Auth): Promise<ApiResponse> {
    return this.send('GET', API_PATHS.tokenUsername, auth);
  }

  /** GET /v2/account/email/verify/<username>/<token> (latest generation), no auth. Takes the mailed
   *  link or its path: only the path is used, so the link's host (the server's production one) is
   *  swapped for this client's target. */
  verifyEmail(linkOrPath: string): Promise<ApiResponse> {
    const path = /^https?:\/\//i.test(linkOrPath) ? new URL(linkOrPath).pathname : linkOrPath;
    return this.send('GET', path, undefined);
  }

  /** The rate limit the latest answer announced (X-RateLimit-*, RateLimit, Retry-After), if it did. */
  get rateLimit(): RateLimit | undefined {
    return this.lastHeaders && readRateLimit(this.lastHeaders.headers, this.lastHeaders.atMs);
  }

  /** Anything else, for malformed-input tests: any path, headers and body. */
  raw(
    method: HttpRequest['method'],
    path: string,
    opts: { auth?: Auth; headers?: Record<string, string>; body?: RequestBody } = {},
  ): Promise<ApiResponse> {
    return this.send(method, path, opts.auth, opts.body, opts.headers);
  }

  private async send(
    method: HttpRequest['method'],
    path: string,
    auth: Auth,
    body?: RequestBody,
    extra: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`;
    else if (auth) headers.authorization = auth.header;
    const started = performance.now();
    this.sent++;
    const res = await this.transport({
      method,
      url: this.baseUrl + path,
      headers,
      body,
      timeoutMs: this.timeoutMs,
      maxBodyBytes: this.maxBodyBytes,
    });
    const ms = performance.now() - started;
    this.lastHeaders = { headers: res.headers, atMs: Date.now() };
    if (res.status === 429) throw new RateLimitedError({ method, path: path.replace(/[^/]{24,}$/, '…') }, this.rateLimit);
    let parsed: unknown = res.text === '' ? undefined : res.text;
    let json = false;
    if (res.text !== '') {
      try {
        parsed = JSON.parse(res.text);
        json = true;
      } catch {
        /* not JSON: keep the text, the schemas will say so */
      }
    }
    return { status: res.status, headers: res.headers, ms, body: parsed, text: res.text, json, endpoint: endpointAt(path) };
  }
}
