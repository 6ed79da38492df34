// Why a k6 request failed, in words: k6's error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/:
// 1000s general, 1100s DNS, 1200s TCP, 1300s TLS, 1400s/1500s HTTP 4xx/5xx, 1600s HTTP/2) grouped into
// the causes an on-call engineer acts on, each a counter the scripts add to only when a request failed
// (nothing per request on the happy path) and the runner reads from k6's summary, with the count.
// A leaf module (it imports only the import-free core/tls-words.ts): k6 and the Node runner both load it.
import { CERT_WORDS, type CertProblem, k6CertProblem } from '../../core/tls-words.ts';

export const CAUSES = [
  'tls_untrusted',
  'tls_expired',
  'tls_not_yet_valid',
  'tls_wrong_host',
  'tls_handshake',
  'dns',
  'refused',
  'connect_timeout',
  'dropped',
  'timeout',
  'http2',
  'rate_limited',
  'http_4xx',
  'http_5xx',
  'other',
] as const;
export type Cause = (typeof CAUSES)[number];

/** The counter of a cause in k6's summary (k6 metric names: letters, digits, underscores). A 429 is the
 *  scripts' own `rate_limited`, which their threshold stops the run on. */
export const causeMetric = (cause: Cause): string => (cause === 'rate_limited' ? 'rate_limited' : `failed_requests_${cause}`);

const TLS: Record<CertProblem, Cause> = {
  untrusted: 'tls_untrusted',
  'self-signed': 'tls_untrusted',
  expired: 'tls_expired',
  'not-yet-valid': 'tls_not_yet_valid',
  'wrong-host': 'tls_wrong_host',
  handshake: 'tls_handshake',
};

export const CAUSE_WORDS: Record<Cause, string> = {
  tls_untrusted: CERT_WORDS.untrusted,
  tls_expired: CERT_WORDS.expired,
  tls_not_yet_valid: CERT_WORDS['not-yet-valid'],
  tls_wrong_host: CERT_WORDS['wrong-host'],
  tls_handshake: CERT_WORDS.handshake,
  dns: "the target's host name does not resolve (DNS)",
  refused: 'connection refused: nothing is listening at the host and port of TARGET_URL',
  connect_timeout: 'no connection within the time limit: the address does not answer (a firewall, or the wrong address)',
  dropped: 'the connection was dropped before an answer (reset by the target, or on the way)',
  timeout: 'no answer within the time limit (HTTP_TIMEOUT_MS)',
  http2: 'an HTTP/2 error: the target or a proxy in front of it closed the stream',
  rate_limited: "rate limited (HTTP 429): the target's request limit for this client was reached",
  http_4xx: 'refused by the target with an HTTP 4xx status (other than 429)',
  http_5xx: 'a server error: HTTP 5xx from the target or a proxy in front of it',
  other: 'the request failed without an answer (k6 error 1000)',
};

/** The cause of a failed request: `error_code` and `error` of k6's response (status 0 when no answer came). */
export function requestCause(code: number, error: string, status: number): Cause {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  const tls = k6CertProblem(code, error);
  if (tls) return TLS[tls];
  if (code >= 1100 && code < 1200) return 'dns';
  if (code === 1212) return 'refused';
  if (code === 1211) return 'connect_timeout';
  if (code >= 1200 && code < 1300) return 'dropped';
  if (code === 1050) return 'timeout';
  if (code >= 1600 && code < 1700) return 'http2';
  return 'other';
}

/** One failed request's cause as a warning says it: the words, then what k6 said (`k6 error 1310: x509: unknown authority`). */
export const causeLine = (code: number, error: string, status: number): string =>
  `${CAUSE_WORDS[requestCause(code, error, status)]} (k6 error ${code}${error ? `: ${error}` : ''})`;
