// The reference target's TLS (TARGET_TLS=true): a certificate authority made for the run (nothing
// downloaded, nothing kept), and the server certificates it signs, which the certificate faults bend
// (one that expires within days, one that has expired, one for another host). The CA's certificate is
// written to a private temp folder, removed when the target stops; the parts trust it through
// TARGET_CA_FILE, as they would a staging's private CA.
// node:crypto makes keys but not X.509 certificates: node-forge (pure JavaScript, no dependencies)
// builds and signs them, with RSA keys made by node:crypto (forge uses it when it is there).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/** The names the target's certificate is for: it listens on loopback only (server.ts). */
export const TARGET_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;
/** What cert-wrong-host's certificate is for instead. */
export const OTHER_HOST = 'api.other-host.example';
const DAY_MS = 86_400_000;
/** A clean certificate's life: Let's Encrypt's 90 days, so the monitor's certificate check passes. */
const CLEAN_DAYS = 90;

export interface CertificateShape {
  notBefore: Date;
  notAfter: Date;
  hosts: readonly string[];
}

export interface ServerCertificate {
  key: string;
  cert: string;
}

export interface TargetCa {
  /** The folder holding ca.pem and ca-key.pem (private: 0700). */
  dir: string;
  /** The CA certificate's file: what TARGET_CA_FILE names. */
  caFile: string;
  caPem: string;
  /** A server certificate of this shape, signed by the CA. */
  issue(shape: CertificateShape): ServerCertificate;
  /** A server certificate signed by itself, not by the CA (a self-test's "self-signed"). */
  selfSigned(shape: CertificateShape): ServerCertificate;
  /** Removes the folder when this process made it. */
  close(): void;
}

/** What the certificate faults in force ask for (names as in faults.ts; `expiringDays` is cert-expiring's parameter). */
export function certificateShape(
  faults: { expired?: boolean; expiringDays?: number; wrongHost?: boolean },
  now = Date.now(),
): CertificateShape {
  const hosts = faults.wrongHost ? [OTHER_HOST] : [...TARGET_HOSTS];
  if (faults.expired) return { notBefore: new Date(now - 90 * DAY_MS), notAfter: new Date(now - DAY_MS), hosts };
  if (faults.expiringDays !== undefined)
    return { notBefore: new Date(now - 60 * DAY_MS), notAfter: new Date(now + faults.expiringDays * DAY_MS), hosts };
  return { notBefore: new Date(now - 3600_000), notAfter: new Date(now + CLEAN_DAYS * DAY_MS), hosts };
}

const pki = forge.pki;
type Keys = forge.pki.rsa.KeyPair;

// forge generates with node:crypto's generateKeyPairSync when it has it: ~50-100 ms for 2048 bits.
const newKeys = (): Keys => pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
// A positive serial (the top bit clear): Go's x509 refuses negative ones.
const serial = (): string => `01${randomBytes(15).toString('hex')}`;

function build(subject: string, publicKey: forge.pki.PublicKey, shape: Pick<CertificateShape, 'notBefore' | 'notAfter'>) {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = shape.notBefore;
  cert.validity.notAfter = shape.notAfter;
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

const altNames = (hosts: readonly string[]) => hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));

function serverExtensions(hosts: readonly string[]) {
  return [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(hosts) },
  ];
}

function makeCa(): { keys: Keys; cert: forge.pki.Certificate } {
  const keys = newKeys();
  const now = Date.now();
  const cert = build(`harness reference target CA ${randomBytes(4).toString('hex')}`, keys.publicKey, {
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 2 * 365 * DAY_MS),
  });
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keys, cert };
}

/**
 * The run's CA: made in a new private temp folder, or read from `dir` when another process made it
 * there (Playwright's config makes it in the runner, so the workers can trust it before they start,
 * and the target it starts as a web server signs with it).
 */
export function openTargetCa(dir?: string): TargetCa {
  let ca: { keys: Keys; cert: forge.pki.Certificate };
  const ours = dir === undefined;
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'hx-target-ca-'));
  const caFile = join(folder, 'ca.pem');
  const keyFile = join(folder, 'ca-key.pem');
  if (!ours && existsSync(caFile) && existsSync(keyFile)) {
    const privateKey = pki.privateKeyFromPem(readFileSync(keyFile, 'utf8'));
    const cert = pki.certificateFromPem(readFileSync(caFile, 'utf8'));
    ca = { keys: { privateKey, publicKey: cert.publicKey as forge.pki.rsa.PublicKey }, cert };
  } else {
    ca = makeCa();
    writeFileSync(keyFile, pki.privateKeyToPem(ca.keys.privateKey), { mode: 0o600 });
    writeFileSync(caFile, pki.certificateToPem(ca.cert), { mode: 0o644 });
  }
  // One key for every server certificate of the run: made once, when the first is issued.
  let serverKeys: Keys | undefined;
  const keysForServer = () => (serverKeys ??= newKeys());
  const caPem = pki.certificateToPem(ca.cert);
  return {
    dir: folder,
    caFile,
    caPem,
    issue(shape) {
      const keys = keysForServer();
      const cert = build(shape.hosts[0] ?? 'localhost', keys.publicKey, shape);
      cert.setIssuer(ca.cert.subject.attributes);
      cert.setExtensions([
        ...serverExtensions(shape.hosts),
        { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
      ]);
      cert.sign(ca.keys.privateKey, forge.md.sha256.create());
      return { key: pki.privateKeyToPem(keys.privateKey), cert: pki.certificateToPem(cert) };
    },
    selfSigned(shape) {
      const keys = keysForServer();
      const cert = build(shape.hosts[0] ?? 'localhost', keys.publicKey, shape);
      cert.setIssuer(cert.subject.attributes);
      cert.setExtensions(serverExtensions(shape.hosts));
      cert.sign(keys.privateKey, forge.md.sha256.create());
      return { key: pki.privateKeyToPem(keys.privateKey), cert: pki.certificateToPem(cert) };
    },
    close() {
      if (ours) rmSync(folder, { recursive: true, force: true });
    },
  };
}
