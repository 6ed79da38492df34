// certificate: the TLS certificate an https target serves, watched as Checkly's `sslExpiry`, Gatus's
// `[CERTIFICATE_EXPIRATION]` and blackbox_exporter's `probe_ssl_earliest_cert_expiry` watch it. The
// chain is read with node:tls and verified against what every part trusts (the system's roots,
// NODE_EXTRA_CA_CERTS, TARGET_CA_FILE: core/trust.ts); then the host name is matched, and the days
// left until the earliest expiry in the chain are judged: degraded under MONITOR_CERT_WARN_DAYS,
// failing under MONITOR_CERT_FAIL_DAYS. A certificate nobody here trusts, or one for another host,
// fails in words. An http target serves no certificate: the check is not run there (appliesTo).
import { X509Certificate } from 'node:crypto';
import { connect, type DetailedPeerCertificate, type SecureContext, type TLSSocket, checkServerIdentity } from 'node:tls';
import { TransportError } from '../../core/http.ts';
import { CERT_WORDS, nodeCertProblem } from '../../core/tls-words.ts';
import { trustedTls } from '../../core/trust.ts';
import { type CertificateInfo, DEFAULT_CERT_FAIL_DAYS, DEFAULT_CERT_WARN_DAYS } from '../types.ts';
import type { Check, Verdict } from './context.ts';

const DAY_S = 86_400;

export interface ServedCertificate {
  /** The leaf, then each issuer the handshake showed (the root from the trust store included when found). */
  chain: X509Certificate[];
  /** Verified against the trusted roots (the host name is judged apart). */
  authorized: boolean;
  /** OpenSSL's code when not authorized (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, …). */
  authorizationError?: string;
  /** Why the certificate does not match the host name, when it does not. */
  hostMismatch?: string;
}

/** The leaf and its issuers, as Node reports them (a self-issued root points at itself). */
function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = peer; c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
  }
  return out;
}

/** Opens a TLS connection to an https URL's host and port and reads what it serves. Never sends a request. */
export function readServedCertificate(
  url: string,
  o: { timeoutMs: number; ca?: string[]; secureContext?: SecureContext },
): Promise<ServedCertificate> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  const isIp = /^[\d.]+$|:/.test(host);
  return new Promise((resolve, reject) => {
    let socket: TLSSocket | undefined;
    const fail = (err: unknown) => {
      socket?.destroy();
      const where = `${u.protocol}//${u.host}/`;
      const t = TransportError.from(err, { method: 'GET', url: where, headers: {}, timeoutMs: o.timeoutMs });
      reject(new TransportError(t.kind, { method: 'TLS connection to', url: where }, t.detail, t.phrase, t.certificate));
    };
    const timer = setTimeout(() => fail(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), o.timeoutMs);
    // Judged below rather than refused here (rejectUnauthorized: false), so that a refused certificate is
    // still read and worded; the chain by OpenSSL (`authorized`), the host name apart (checkServerIdentity).
    socket = connect({
      host,
      port,
      ...(isIp ? {} : { servername: host }),
      ...(o.secureContext ? { secureContext: o.secureContext } : { ca: o.ca }),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['http/1.1'],
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const s = socket!;
      try {
        const peer = s.getPeerCertificate(true);
        if (!peer?.raw) throw new Error('the server sent no certificate');
        const identity = checkServerIdentity(host, peer);
        resolve({
          chain: chainOf(peer),
          authorized: s.authorized,
          ...(s.authorizationError ? { authorizationError: String(s.authorizationError) } : {}),
          ...(identity ? { hostMismatch: identity.message } : {}),
        });
      } catch (err) {
        reject(err);
      } finally {
        s.destroy();
      }
    });
  });
}

const day = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/:\d\d\.\d{3}Z$/, ' UTC')
    .replace('T', ' ');
/** "CN=127.0.0.1" from X509Certificate's multi-line subject. */
const dn = (text: string): string => text.split('\n').filter(Boolean).join(', ');
const days = (s: number): string => {
  const d = s / DAY_S;
  return Math.abs(d) < 10 ? `${d.toFixed(1)} days` : `${Math.round(d)} days`;
};

/** What the pass keeps of it: the metric and the status page read the earliest expiry in the chain. */
export function certificateInfo(served: ServedCertificate): CertificateInfo {
  const leaf = served.chain[0]!;
  const earliest = served.chain.reduce((a, b) => (Date.parse(b.validTo) < Date.parse(a.validTo) ? b : a));
  return {
    notAfterS: Math.round(Date.parse(earliest.validTo) / 1000),
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    ...(earliest !== leaf ? { earliest: dn(earliest.subject) } : {}),
  };
}

/** The verdict on what was served, at `nowMs`, with the two thresholds in days. */
export function judgeCertificate(served: ServedCertificate, o: { warnDays: number; failDays: number; nowMs?: number }): Verdict {
  const info = certificateInfo(served);
  const now = o.nowMs ?? Date.now();
  const left = info.notAfterS - now / 1000;
  const which = `${info.subject}, issued by ${info.issuer}${info.earliest ? `; the first to expire: ${info.earliest}` : ''}`;
  if (!served.authorized) {
    const problem = nodeCertProblem(served.authorizationError) ?? 'handshake';
    const when =
      problem === 'expired'
        ? `; it expired ${days(-left)} ago, on ${day(info.notAfterS * 1000)}`
        : problem === 'not-yet-valid'
          ? `; it is valid from ${day(Date.parse(served.chain[0]!.validFrom))}`
          : '';
    return { status: 'fail', message: `${CERT_WORDS[problem]} (${served.authorizationError ?? 'not verified'}: ${which}${when})` };
  }
  if (served.hostMismatch) return { status: 'fail', message: `${CERT_WORDS['wrong-host']}: ${served.hostMismatch} (${which})` };
  const until = `until ${day(info.notAfterS * 1000)} (${which})`;
  if (left < o.failDays * DAY_S)
    return {
      status: 'fail',
      message: `the target's TLS certificate expires in ${days(left)}, under MONITOR_CERT_FAIL_DAYS=${o.failDays}: renew it now; valid ${until}`,
    };
  if (left < o.warnDays * DAY_S)
    return {
      status: 'degraded',
      message: `the target's TLS certificate expires in ${days(left)}, under MONITOR_CERT_WARN_DAYS=${o.warnDays}: renew it soon; valid ${until}`,
    };
  return {
    status: 'pass',
    message: `the target's TLS certificate is trusted, matches the host and has ${days(left)} left: valid ${until}`,
  };
}

export const certificate: Check = {
  name: 'certificate',
  appliesTo: (baseUrl) => baseUrl.startsWith('https:'),
  async run(ctx) {
    let served: ServedCertificate;
    try {
      served = await readServedCertificate(ctx.api.baseUrl, { timeoutMs: ctx.api.timeoutMs, ...trustedTls() });
    } catch (err) {
      if (err instanceof TransportError) return { status: 'fail', message: `could not read the target's TLS certificate: ${err.message}` };
      throw err;
    }
    ctx.certificate = certificateInfo(served);
    return judgeCertificate(served, {
      warnDays: ctx.config.certWarnDays ?? DEFAULT_CERT_WARN_DAYS,
      failDays: ctx.config.certFailDays ?? DEFAULT_CERT_FAIL_DAYS,
    });
  },
};
