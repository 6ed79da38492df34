// The leak check must be able to fail: it finds a tagged password, a JWT or SMOKE_PASSWORD in a
// report file or a test's output, names the place and the kind, and never prints the secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig, FullResult, TestCase, TestResult } from '@playwright/test/reporter';
import LeakCheckReporter from '../../fixtures/leak-check-reporter.ts';
import { PASSWORD_TAG } from '../../fixtures/secrets.ts';
import { tempDir } from '../support/temp.ts';

const password = `${PASSWORD_TAG}${'a1B2c3D4e5'.repeat(2)}`;
const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImhlbGxvIn0.c2lnbmF0dXJlc2lnbmF0dXJl';

function setup(files: Record<string, string>) {
  const root = tempDir('leak-');
  const reports = join(root, 'reports');
  const results = join(root, 'test-results');
  mkdirSync(reports);
  mkdirSync(results);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  process.env.REPORTS_DIR = reports;
  const reporter = new LeakCheckReporter();
  reporter.onBegin({ projects: [{ outputDir: results }] } as unknown as FullConfig);
  return reporter;
}

async function finish(reporter: LeakCheckReporter): Promise<{ status?: string; printed: string }> {
  let printed = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    printed += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const out = await reporter.onEnd({ status: 'passed' } as FullResult);
    return { status: out ? out.status : undefined, printed };
  } finally {
    process.stderr.write = write;
  }
}

test('a clean run passes', async () => {
  const r = setup({ 'reports/results.json': '{"ok":true}', 'test-results/error-context.md': 'answered 500, expected 200' });
  assert.equal((await finish(r)).status, undefined);
});

test('a generated password in a report file fails the run, naming the file but not the password', async () => {
  const r = setup({ 'reports/junit.xml': `<failure>response is '${password}'</failure>` });
  const { status, printed } = await finish(r);
  assert.equal(status, 'failed');
  assert.match(printed, /a generated password in .*junit\.xml/);
  assert.ok(!printed.includes(password));
});

test("a JWT in a test's error fails the run", async () => {
  const r = setup({});
  const testCase = { titlePath: () => ['', 'flow', 'login', 'x'] } as unknown as TestCase;
  r.onTestEnd(testCase, { errors: [{ message: `token ${jwt}` }], stdout: [], stderr: [], attachments: [] } as unknown as TestResult);
  const { status, printed } = await finish(r);
  assert.equal(status, 'failed');
  assert.match(printed, /a JWT in the output of 'flow › login › x'/);
  assert.ok(!printed.includes(jwt));
});

test('SMOKE_PASSWORD in test-results fails the run', async () => {
  process.env.SMOKE_USERNAME = 'smoke-user';
  process.env.SMOKE_PASSWORD = 'Smoke-Secret-123';
  try {
    const r = setup({ 'test-results/error-context.md': 'login as smoke-user with Smoke-Secret-123 failed' });
    const { status, printed } = await finish(r);
    assert.equal(status, 'failed');
    assert.match(printed, /SMOKE_PASSWORD in .*error-context\.md/);
  } finally {
    delete process.env.SMOKE_USERNAME;
    delete process.env.SMOKE_PASSWORD;
  }
});

test('a trace zip is scrubbed of tokens and passwords before the check, and the check reads inside zips', async () => {
  const { zipSync, unzipSync, strToU8, strFromU8 } = await import('fflate');
  const { readFileSync } = await import('node:fs');
  const trace = zipSync({
    'trace.network': strToU8(
      `{"request":{"headers":[{"name":"Authorization","value":"Bearer ${jwt}"}],"postData":"{\\"password\\":\\"${password}\\"}"}}`,
    ),
    'resources/abc.dat': strToU8(`{"token":"${jwt}"}`),
  });
  const r = setup({});
  const file = join(process.env.REPORTS_DIR!, '..', 'test-results', 'trace.zip');
  writeFileSync(file, trace);
  assert.equal((await finish(r)).status, undefined, 'the scrubbed trace still holds a secret');
  const after = Object.values(unzipSync(readFileSync(file)))
    .map((d) => strFromU8(d))
    .join('\n');
  assert.ok(!after.includes(jwt) && !after.includes(password), after);
  assert.match(after, /Bearer \[redacted\]/);
});

test("a trace inside a sharded run's blob report (a zip inside a zip) is scrubbed and read too", async () => {
  const { zipSync, unzipSync, strToU8, strFromU8 } = await import('fflate');
  const { readFileSync } = await import('node:fs');
  const trace = zipSync({ 'trace.network': strToU8(`{"headers":[{"name":"Authorization","value":"Bearer ${jwt}"}]}`) });
  const blob = zipSync({ 'report.jsonl': strToU8('{"method":"onBegin"}'), 'resources/0123abcd.zip': trace });
  const r = setup({});
  mkdirSync(join(process.env.REPORTS_DIR!, 'blob'));
  const file = join(process.env.REPORTS_DIR!, 'blob', 'report-1.zip');
  writeFileSync(file, blob);
  assert.equal((await finish(r)).status, undefined, 'the scrubbed blob report still holds a secret');
  const inner = unzipSync(readFileSync(file))['resources/0123abcd.zip']!;
  const text = strFromU8(unzipSync(inner)['trace.network']!);
  assert.ok(!text.includes(jwt), text);
  assert.match(text, /Bearer \[redacted\]/);

  // Read, not only scrubbed: what is inside a zip inside a zip is scanned (named by its path).
  process.env.SMOKE_USERNAME = 'smoke-user';
  process.env.SMOKE_PASSWORD = 'Smoke-Secret-456';
  try {
    const r2 = setup({});
    const nested = zipSync({ 'resources/x.zip': zipSync({ 'trace.trace': strToU8('login Smoke-Secret-456') }) });
    r2['scanZip'](nested, 'blob.zip');
    const { status, printed } = await finish(r2);
    assert.equal(status, 'failed');
    assert.match(printed, /SMOKE_PASSWORD in blob\.zip › resources\/x\.zip › trace\.trace/);
    assert.ok(!printed.includes('Smoke-Secret-456'));
  } finally {
    delete process.env.SMOKE_USERNAME;
    delete process.env.SMOKE_PASSWORD;
  }
});

test("a secret in the HTML report's embedded data fails the run (the report is a zip inside the page)", async () => {
  const { zipSync, strToU8 } = await import('fflate');
  const data = Buffer.from(zipSync({ 'report.json': strToU8(`{"errors":["login with ${password} failed"]}`) })).toString('base64');
  const r = setup({
    'reports/index.html': `<html><template id="playwrightReportBase64">data:application/zip;base64,${data}</template></html>`,
  });
  const { status, printed } = await finish(r);
  assert.equal(status, 'failed');
  assert.match(printed, /a generated password in .*index\.html \(the report's data\) › report\.json/);
  assert.ok(!printed.includes(password));
});

test('traces are kept only against the bundled target with no real credentials: never for a TARGET_URL, loopback included', async () => {
  const { parseTestSettings, targetInfo, tracesAllowed } = await import('../../fixtures/settings.ts');
  const allowed = (env: Record<string, string>) => tracesAllowed(targetInfo(parseTestSettings(env)));
  assert.equal(allowed({}), true);
  // A tunnel to production is loopback too.
  assert.equal(allowed({ TARGET_URL: 'http://127.0.0.1:8080' }), false);
  assert.equal(allowed({ TARGET_URL: 'https://api.staging.example.com' }), false);
  assert.equal(allowed({ SMOKE_USERNAME: 'someone', SMOKE_PASSWORD: 'real-password' }), false);
});

test('SMOKE_PASSWORD JSON-escaped, percent-encoded or base64 in a report fails the run too (issue 21)', async () => {
  const secret = 'Smoke "two  spaces" \\ é';
  process.env.SMOKE_USERNAME = 'smoke-user';
  process.env.SMOKE_PASSWORD = secret;
  try {
    for (const [name, form] of [
      ['JSON', JSON.stringify({ message: `bad ${secret}` })],
      ['percent-encoded', `?p=${encodeURIComponent(secret)}`],
      ['base64', Buffer.from(`smoke-user:${secret}`).toString('base64')],
    ] as const) {
      const r = setup({ 'reports/results.json': form });
      const { status, printed } = await finish(r);
      assert.equal(status, 'failed', `${name}: ${form}`);
      assert.match(printed, /SMOKE_PASSWORD in .*results\.json/);
      // The run fails, and the report it leaves no longer holds it.
      const left = readFileSync(join(process.env.REPORTS_DIR!, 'results.json'), 'utf8');
      assert.ok(!left.includes(form) && left.includes('[redacted]'), `${name}: ${left}`);
    }
  } finally {
    delete process.env.SMOKE_USERNAME;
    delete process.env.SMOKE_PASSWORD;
  }
});
