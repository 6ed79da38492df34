// Before npm start sends any request to an https TARGET_URL: is its certificate's chain trusted here?
// A chain nobody here trusts (a private CA not given, or the wrong file) is a setting of the harness,
// not a failure of the API: exit 2 naming TARGET_CA_FILE, instead of every part failing the same way and
// a NO-GO blaming the release. One TLS handshake, no HTTP request (no rate limit spent). An expired
// certificate or one for another host is the deployment's problem: the parts run and say so.
import { TransportError } from '../core/http.ts';
import { CERT_WORDS, nodeCertProblem } from '../core/tls-words.ts';
import { trustCaFiles, trustedTls } from '../core/trust.ts';
import { readServedCertificate } from '../monitors/checks/certificate.ts';

/** The sentence that stops the run, or undefined when the chain is trusted (or the target is http, or does not answer). */
export async function untrustedChainProblem(s: { TARGET_URL?: string; TARGET_CA_FILE?: string; HTTP_TIMEOUT_MS: number }) {
  if (!s.TARGET_URL?.startsWith('https:')) return undefined;
  await trustCaFiles([s.TARGET_CA_FILE]);
  let code: string | undefined;
  try {
    const served = await readServedCertificate(s.TARGET_URL, { timeoutMs: s.HTTP_TIMEOUT_MS, ...trustedTls() });
    code = served.authorized ? undefined : served.authorizationError;
  } catch (err) {
    if (err instanceof TransportError) return undefined; // not answering: the parts say so, each in its words
    throw err;
  }
  const problem = code ? nodeCertProblem(code) : undefined;
  if (problem !== 'untrusted' && problem !== 'self-signed') return undefined;
  const given = s.TARGET_CA_FILE ? ` (the CA in ${s.TARGET_CA_FILE} did not sign it)` : '';
  return `TARGET_CA_FILE: ${CERT_WORDS[problem]}${given}; nothing was run (${code})`;
}
