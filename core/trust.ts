// Trusting the target's certificate authority (TARGET_CA_FILE, or the bundled target's own CA when it
// serves TLS) in every part, in addition to the system's roots: never instead of them, and never by
// switching verification off (the harness has no such switch).
//
// Each runtime reads its trust in its own way, so each gets what it reads:
// - this process: Node's fetch is undici, which takes a dispatcher; the one set here trusts Node's own
//   roots, the user's NODE_EXTRA_CA_CERTS (an explicit `ca` replaces both, so both are listed) and the
//   CA. node:tls users (the monitor's certificate check, an amqps:// inbox) take the same, trustedTls().
//   It is one secure context, made once: made per connection from ~150 roots it costs 15-40 ms each.
// - Node processes started later (Playwright's workers): NODE_EXTRA_CA_CERTS, read by Node only as it
//   starts; a bundle of the user's own file and the CA when there are both.
// - Go processes (k6): SSL_CERT_FILE, which replaces Go's system roots on Linux, so it names a bundle
//   of the system's CA file (or the user's own SSL_CERT_FILE) and the CA.
// Bundles go to a private temp folder, removed by cleanup() when the child is done.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

type Env = Record<string, string | undefined>;

/** A CA file is a few KB; a system bundle is ~200 KB. Anything far larger is not a CA file. */
const MAX_CA_FILE_BYTES = 4 * 1024 * 1024;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates (PEM) in a CA file, or what is wrong with it, as the end of a settings sentence. */
export function readCaCertificates(path: string): { certs: string[] } | { problem: string } {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { problem: 'expected a readable PEM file of CA certificates, but it names a folder' };
    if (st.size > MAX_CA_FILE_BYTES) return { problem: `expected a PEM file of CA certificates, and this one is ${st.size} bytes` };
    text = readFileSync(path, 'utf8');
  } catch {
    return { problem: 'expected a readable PEM file of CA certificates, and there is none there' };
  }
  const certs = text.match(PEM_BLOCK) ?? [];
  if (certs.length === 0)
    return { problem: 'expected a PEM file holding the CA certificate (-----BEGIN CERTIFICATE-----), and this file holds none' };
  for (const [i, pem] of certs.entries())
    try {
      new X509Certificate(pem);
    } catch {
      return { problem: `expected PEM certificates, and certificate ${i + 1} of ${certs.length} in the file cannot be read` };
    }
  return { certs };
}

/** The folder of a CA made for a run by one process and signed with by another (Playwright's config
 *  and its web server's target): what is wrong with it, if anything. */
export function runCaDirProblem(dir: string): string | undefined {
  return existsSync(join(dir, 'ca.pem')) && existsSync(join(dir, 'ca-key.pem'))
    ? undefined
    : 'expected the folder of the CA made for this run (its ca.pem and ca-key.pem), and they are not there';
}

function certificatesOf(files: readonly string[]): string[] {
  return files.flatMap((f) => {
    const r = readCaCertificates(f);
    if ('problem' in r) throw new Error(`the CA file ${f}: ${r.problem}`);
    return r.certs;
  });
}

/** The user's own NODE_EXTRA_CA_CERTS, as Node reads it (an unreadable file is skipped, as Node skips it with a warning). */
function userExtraCertificates(env: Env): string[] {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  const r = readCaCertificates(file);
  return 'certs' in r ? r.certs : [];
}

let trusted: { files: string[]; ca: string[]; secureContext: SecureContext } | undefined;

/**
 * Trusts the CAs in `files` (undefined entries skipped) in this process from now on, in addition to what
 * it trusted before: fetch's global dispatcher, and trustedCa() for node:tls users. Idempotent.
 */
export async function trustCaFiles(files: readonly (string | undefined)[], env: Env = process.env): Promise<void> {
  const wanted = files.filter((f): f is string => Boolean(f));
  const all = [...new Set([...(trusted?.files ?? []), ...wanted])];
  if (all.length === (trusted?.files.length ?? 0)) return;
  const ca = [...rootCertificates, ...userExtraCertificates(env), ...certificatesOf(all)];
  // undici 6, the major Node 20 ships: its global dispatcher is the one Node's own fetch uses
  // (selftest/core/trust.test.ts proves it on this Node). Loaded only when a CA is to be trusted.
  const { Agent, setGlobalDispatcher } = await import('undici');
  const secureContext = createSecureContext({ ca });
  setGlobalDispatcher(new Agent({ connect: { secureContext } }));
  trusted = { files: all, ca, secureContext };
}

/** The trusted roots (PEM), when more than Node's defaults are trusted. */
export const trustedCa = (): string[] | undefined => trusted?.ca;

/** Options for a node:tls connection to the target (tls.connect, amqplib's socket options): the
 *  trusted roots as one secure context; empty = Node's defaults (nothing extra to trust). */
export const trustedTls = (): { secureContext?: SecureContext } => (trusted ? { secureContext: trusted.secureContext } : {});

/** The CA files this process trusts beyond the system's (for the words of a failure). */
export const trustedCaFiles = (): readonly string[] => trusted?.files ?? [];

export interface ChildTrust {
  /** Variables to add to the child's environment (none when there is nothing to trust). */
  env: Record<string, string>;
  /** Removes the bundle file, if one was written. */
  cleanup(): void;
}

/** PEM certificates in one file of a private temp folder. */
function bundle(name: string, certs: readonly string[]): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hx-ca-'));
  const file = join(dir, name);
  writeFileSync(file, `${certs.map((c) => c.trim()).join('\n')}\n`, { mode: 0o600 });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a Node process started later needs to trust `files` from its first instruction: NODE_EXTRA_CA_CERTS. */
export function nodeChildTrust(files: readonly (string | undefined)[], env: Env = process.env): ChildTrust {
  const wanted = [...new Set(files.filter((f): f is string => Boolean(f)))];
  if (wanted.length === 0) return { env: {}, cleanup: () => {} };
  if (wanted.length === 1 && !env.NODE_EXTRA_CA_CERTS) return { env: { NODE_EXTRA_CA_CERTS: wanted[0]! }, cleanup: () => {} };
  const b = bundle('node-extra-ca.pem', [...userExtraCertificates(env), ...certificatesOf(wanted)]);
  return { env: { NODE_EXTRA_CA_CERTS: b.file }, cleanup: b.cleanup };
}

/** Where Go looks for the system's roots on Linux (crypto/x509's certFiles), in its order. */
const GO_SYSTEM_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

/** The roots a Go program trusts here: the user's SSL_CERT_FILE, else the system's file, else the roots Node ships. */
function goSystemRoots(env: Env, systemFiles: readonly string[]): string[] {
  for (const file of [env.SSL_CERT_FILE, ...systemFiles].filter((f): f is string => Boolean(f)))
    if (existsSync(file)) {
      const r = readCaCertificates(file);
      if ('certs' in r) return r.certs;
    }
  return [...rootCertificates];
}

/**
 * What a Go program (k6) needs to trust `files` as well as the system's roots: SSL_CERT_FILE naming a
 * bundle of both (on Linux Go reads that file instead of the system's). The user's own SSL_CERT_FILE is
 * the base when set.
 */
export function goChildTrust(
  files: readonly (string | undefined)[],
  env: Env = process.env,
  systemFiles: readonly string[] = GO_SYSTEM_FILES,
): ChildTrust {
  const wanted = [...new Set(files.filter((f): f is string => Boolean(f)))];
  if (wanted.length === 0) return { env: {}, cleanup: () => {} };
  const b = bundle('go-roots.pem', [...goSystemRoots(env, systemFiles), ...certificatesOf(wanted)]);
  return { env: { SSL_CERT_FILE: b.file }, cleanup: b.cleanup };
}
