// Certificate problems in words, the same in every part: Node's fetch and Playwright (OpenSSL's codes
// and messages), the monitor's certificate check, and k6 (Go's crypto/x509, through k6's error codes).
// A leaf module (no imports): the k6 scripts load it too.
//
// An untrusted certificate is not an outage of the API: the words say what to do about it, naming the
// setting (TARGET_CA_FILE) rather than a switch that turns verification off (there is none).

export type CertProblem = 'untrusted' | 'self-signed' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'handshake';

export const CERT_WORDS: Record<CertProblem, string> = {
  untrusted: "the target's TLS certificate is not trusted (unknown authority): set TARGET_CA_FILE to the CA that signed it",
  'self-signed':
    "the target's TLS certificate is self-signed, so no authority vouches for it: set TARGET_CA_FILE to that certificate if " +
    'it is the one the target should serve',
  expired: "the target's TLS certificate has expired: renew it on the target",
  'not-yet-valid': "the target's TLS certificate is not valid yet: its start date is ahead of this machine's clock",
  'wrong-host': "the target's TLS certificate is for another host name than TARGET_URL's",
  handshake: 'the TLS handshake with the target failed',
};

// OpenSSL's verification codes as Node names them (fetch's cause.code, Playwright's error.code, a TLS
// socket's authorizationError), and Node's own for a host name that does not match.
const OPENSSL: Record<string, CertProblem> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  // The server sent its CA too, and nobody here trusts that CA: a private CA, as for the first code.
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_REJECTED: 'untrusted',
  INVALID_CA: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-host',
  HOSTNAME_MISMATCH: 'wrong-host',
};

// The same problems as OpenSSL words them (Playwright's message when no code came with it).
const OPENSSL_TEXT: [RegExp, CertProblem][] = [
  [/self[- ]signed certificate in certificate chain/i, 'untrusted'],
  [/unable to verify the first certificate|unable to get (local )?issuer certificate/i, 'untrusted'],
  [/self[- ]signed certificate/i, 'self-signed'],
  [/certificate has expired/i, 'expired'],
  [/certificate is not yet valid/i, 'not-yet-valid'],
  [/does not match certificate's altnames/i, 'wrong-host'],
];

/** The certificate problem behind a Node error's code (or, without one, its OpenSSL message); undefined when it is not one. */
export function nodeCertProblem(code: string | undefined, message = ''): CertProblem | undefined {
  if (code && OPENSSL[code]) return OPENSSL[code];
  for (const [pattern, problem] of OPENSSL_TEXT) if (pattern.test(message)) return problem;
  // A handshake that failed for another reason (no common protocol, a server that is not TLS).
  if ((code && /^ERR_SSL_|^ERR_TLS_/.test(code)) || /SSL routines|wrong version number|tlsv1 alert|handshake/i.test(message))
    return 'handshake';
  return undefined;
}

// k6 (Go) names 1310 an unknown authority (a self-signed certificate included: Go does not tell them
// apart), 1311 a host name mismatch, and files an expired certificate under its generic 1000, with
// Go's text: "x509: certificate has expired or is not yet valid: current time … is after …".
/** The certificate problem behind a k6 request error (`error_code`, `error`); undefined when it is not one. */
export function k6CertProblem(code: number, error: string): CertProblem | undefined {
  if (code === 1310) return 'untrusted';
  if (code === 1311) return 'wrong-host';
  if (/certificate has expired or is not yet valid/.test(error)) return /is before/.test(error) ? 'not-yet-valid' : 'expired';
  if (code >= 1300 && code < 1400) return 'handshake';
  return undefined;
}
