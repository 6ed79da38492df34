// The leak check must be able to fail: it finds a tagged password, a JWT or SMOKE_PASSWORD in a
// report file or a test's output, names the place and the kind, and never prints the secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
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
