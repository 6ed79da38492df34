// TARGET_CA_FILE (core/trust.ts) and the words of a refused certificate (core/tls-words.ts), over real
// TLS handshakes on loopback: a CA made here (reference/tls.ts) signs servers with the certificates a
// deployment can get wrong (expired, not valid yet, for another host), beside a self-signed one.
// What is proven: a CA file is read (and one that holds no certificate refused, naming the setting);
// Node's fetch, through the dispatcher trustCaFiles sets, trusts the CA and still what the user's
// NODE_EXTRA_CA_CERTS names; the bundles handed to child processes (Node: NODE_EXTRA_CA_CERTS, Go:
// SSL_CERT_FILE) hold the base roots and the CA; every problem is worded, by fetch and by Playwright.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { fetchTransport, type HttpRequest, TransportError } from '../../core/http.ts';
import { playwrightTransport } from '../../core/http-playwright.ts';
import { parseSettings, SettingsError, sharedSettings } from '../../core/settings.ts';
import { CERT_WORDS, k6CertProblem } from '../../core/tls-words.ts';
import { goChildTrust, nodeChildTrust, readCaCertificates, trustCaFiles, trustedCa } from '../../core/trust.ts';
import { causeLine, requestCause } from '../../load/lib/causes.ts';
import { certificateShape, openTargetCa, type ServerCertificate, type TargetCa } from '../../reference/tls.ts';
import { tempDir } from '../support/temp.ts';

const DAY = 86_400_000;
let ca: TargetCa;
let other: TargetCa;
const servers: Server[] = [];
const url: Record<string, string> = {};
let context: APIRequestContext;

async function serve(name: string, cert: ServerCertificate): Promise<void> {
  const s = createServer(cert, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":200}'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  url[name] = `https://127.0.0.1:${(s.address() as AddressInfo).port}/v2/account/credits/available`;
}

before(async () => {
  ca = openTargetCa();
  other = openTargetCa();
  const now = Date.now();
  await serve('good', ca.issue(certificateShape({})));
  await serve('expired', ca.issue(certificateShape({ expired: true })));
  await serve('not-yet-valid', ca.issue({ notBefore: new Date(now + DAY), notAfter: new Date(now + 30 * DAY), hosts: ['127.0.0.1'] }));
  await serve('wrong-host', ca.issue(certificateShape({ wrongHost: true })));
  await serve('self-signed', ca.selfSigned(certificateShape({})));
  await serve('other-ca', other.issue(certificateShape({})));
  context = await playwrightRequest.newContext();
});
after(async () => {
  await context?.dispose();
  for (const s of servers) s.close();
  ca?.close();
  other?.close();
});

const get = (u: string): HttpRequest => ({ method: 'GET', url: u, headers: {}, timeoutMs: 5000 });
const refusedWith = async (send: Promise<unknown>, problem: keyof typeof CERT_WORDS): Promise<TransportError> => {
  let caught: unknown;
  await send.catch((e: unknown) => {
    caught = e;
  });
  assert.ok(caught instanceof TransportError, `expected a TransportError, got ${String(caught)}`);
  assert.equal(caught.kind, 'tls', caught.message);
  assert.equal(caught.certificate, problem, caught.message);
  assert.ok(caught.message.includes(CERT_WORDS[problem]), caught.message);
  return caught;
};

test('a CA file is read certificate by certificate; one that holds none is refused, naming TARGET_CA_FILE', () => {
  const dir = tempDir('hx-trust-');
  const key = join(dir, 'key.pem');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
  const broken = join(dir, 'broken.pem');
  writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
  const both = join(dir, 'both.pem');
  writeFileSync(both, `${ca.caPem}\n${other.caPem}`);
  assert.equal((readCaCertificates(both) as { certs: string[] }).certs.length, 2);
  for (const [file, words] of [
    [key, /holds none/],
    [broken, /certificate 1 of 1 in the file cannot be read/],
    [join(dir, 'missing.pem'), /there is none there/],
    [dir, /names a folder/],
  ] as const) {
    assert.throws(
      () => parseSettings({ TARGET_CA_FILE: sharedSettings.TARGET_CA_FILE }, { TARGET_CA_FILE: file }),
      (e: unknown) => e instanceof SettingsError && /^TARGET_CA_FILE: /.test(e.problems[0]!) && words.test(e.problems[0]!),
    );
  }
  assert.equal(parseSettings({ TARGET_CA_FILE: sharedSettings.TARGET_CA_FILE }, { TARGET_CA_FILE: ca.caFile }).TARGET_CA_FILE, ca.caFile);
});

test('each certificate problem is worded, by fetch and by Playwright alike (nothing trusted yet)', async () => {
  const cases = [
    ['good', 'untrusted'],
    ['other-ca', 'untrusted'],
    ['expired', 'expired'],
    ['not-yet-valid', 'not-yet-valid'],
    ['self-signed', 'self-signed'],
  ] as const;
  for (const [server, problem] of cases) {
    const viaFetch = await refusedWith(fetchTransport(get(url[server]!)), problem);
    await refusedWith(playwrightTransport(context)(get(url[server]!)), problem);
    if (server === 'good')
      assert.equal(
        viaFetch.message,
        `GET ${url.good}: the target's TLS certificate is not trusted (unknown authority): set TARGET_CA_FILE to the CA that signed ` +
          'it (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
      );
  }
});

test("trustCaFiles: fetch trusts the CA and the user's own NODE_EXTRA_CA_CERTS, in addition to the system's roots", async () => {
  assert.equal(trustedCa(), undefined, 'nothing extra is trusted before');
  const dir = tempDir('hx-trust-');
  const userExtra = join(dir, 'user-extra.pem');
  writeFileSync(userExtra, other.caPem);
  await trustCaFiles([ca.caFile, undefined], { NODE_EXTRA_CA_CERTS: userExtra });
  assert.equal((await fetchTransport(get(url.good!))).status, 200);
  assert.equal((await fetchTransport(get(url['other-ca']!))).status, 200, "the user's NODE_EXTRA_CA_CERTS still counts");
  const roots = trustedCa()!;
  assert.ok(roots.length > 100, `the system's roots are kept (${roots.length} certificates)`);
  assert.ok(roots.includes(ca.caPem.trim()) || roots.some((r) => r.trim() === ca.caPem.trim()));
  // Past the chain, the rest is still judged: a trusted CA does not excuse another host or a date.
  const wrong = await refusedWith(fetchTransport(get(url['wrong-host']!)), 'wrong-host');
  assert.match(wrong.message, /another host name than TARGET_URL's \(Hostname\/IP does not match certificate's altnames/);
  await refusedWith(fetchTransport(get(url.expired!)), 'expired');
});

test('a child process gets the same trust: Node through NODE_EXTRA_CA_CERTS, Go (k6) through SSL_CERT_FILE with the base roots', () => {
  const dir = tempDir('hx-trust-');
  const userExtra = join(dir, 'user-extra.pem');
  writeFileSync(userExtra, other.caPem);
  // Only the CA: its own file, nothing written.
  assert.deepEqual(nodeChildTrust([ca.caFile], {}).env, { NODE_EXTRA_CA_CERTS: ca.caFile });
  assert.deepEqual(nodeChildTrust([undefined], {}).env, {});
  // With the user's own: a bundle of both, removed by cleanup().
  const node = nodeChildTrust([ca.caFile], { NODE_EXTRA_CA_CERTS: userExtra });
  const nodeBundle = node.env.NODE_EXTRA_CA_CERTS!;
  assert.deepEqual(
    (readCaCertificates(nodeBundle) as { certs: string[] }).certs.map((c) => c.trim()),
    [other.caPem.trim(), ca.caPem.trim()],
  );
  node.cleanup();
  assert.ok(!existsSync(nodeBundle));
  // Go: the system's file (here a stand-in) or the user's SSL_CERT_FILE, then the CA.
  const system = join(dir, 'system.pem');
  writeFileSync(system, other.caPem);
  const go = goChildTrust([ca.caFile], {}, [join(dir, 'absent.pem'), system]);
  assert.equal(readFileSync(go.env.SSL_CERT_FILE!, 'utf8').trim(), `${other.caPem.trim()}\n${ca.caPem.trim()}`);
  go.cleanup();
  const own = goChildTrust([ca.caFile], { SSL_CERT_FILE: userExtra }, []);
  assert.equal((readCaCertificates(own.env.SSL_CERT_FILE!) as { certs: string[] }).certs[0]!.trim(), other.caPem.trim());
  own.cleanup();
  // No system file at all: the roots Node ships stand in for them.
  const bare = goChildTrust([ca.caFile], {}, []);
  assert.ok((readCaCertificates(bare.env.SSL_CERT_FILE!) as { certs: string[] }).certs.length > 100);
  bare.cleanup();
});

test("k6's errors (Go's, as k6 1.8.1 reports them for these same certificates) get the same words, and the other causes theirs", () => {
  const expiredText = 'x509: certificate has expired or is not yet valid: current time 2026-12-06T18:19:37Z is after 2026-12-05T18:19:34Z';
  const earlyText = 'x509: certificate has expired or is not yet valid: current time 2026-12-06T18:19:37Z is before 2026-12-07T18:19:34Z';
  assert.equal(k6CertProblem(1310, 'x509: unknown authority'), 'untrusted');
  assert.equal(k6CertProblem(1311, "x509: certificate doesn't match hostname"), 'wrong-host');
  assert.equal(k6CertProblem(1000, expiredText), 'expired');
  assert.equal(k6CertProblem(1000, earlyText), 'not-yet-valid');
  assert.equal(k6CertProblem(1212, 'dial: connection refused'), undefined);
  assert.equal(causeLine(1310, 'x509: unknown authority', 0), `${CERT_WORDS.untrusted} (k6 error 1310: x509: unknown authority)`);
  const causes = [
    [1101, 'lookup: no such host', 0, 'dns'],
    [1212, 'dial: connection refused', 0, 'refused'],
    [1211, 'dial: i/o timeout', 0, 'connect_timeout'],
    [1220, 'read: connection reset by peer', 0, 'dropped'],
    [1050, 'request timeout', 0, 'timeout'],
    [1000, expiredText, 0, 'tls_expired'],
    [1429, '', 429, 'rate_limited'],
    [1401, '', 401, 'http_4xx'],
    [1503, '', 503, 'http_5xx'],
    [1650, 'http2: connection error', 0, 'http2'],
    [1000, 'EOF', 0, 'other'],
  ] as const;
  for (const [code, error, status, cause] of causes) assert.equal(requestCause(code, error, status), cause, `${code} ${error}`);
});
