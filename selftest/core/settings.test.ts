import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, sharedSettings, SettingsError, setting, targetIsLocal, targetLabel } from '../../core/settings.ts';
import { runCli } from '../support/cli.ts';

const problemsOf = (env: Record<string, string>, shape: object = sharedSettings): string[] => {
  try {
    parseSettings(shape as typeof sharedSettings, env);
    return [];
  } catch (err) {
    assert.ok(err instanceof SettingsError, 'expected a SettingsError');
    return err.problems;
  }
};

test('defaults apply when nothing is set, and the result is frozen', () => {
  const s = parseSettings(sharedSettings, {});
  assert.equal(s.TARGET_URL, undefined);
  assert.equal(s.ALLOW_UPGRADE, false);
  assert.equal(s.HTTP_TIMEOUT_MS, 10_000);
  assert.ok(Object.isFrozen(s));
  assert.equal(targetIsLocal(s), true);
  assert.equal(targetLabel(s), 'local');
});

test('an empty value counts as unset, so the default still applies', () => {
  const s = parseSettings(sharedSettings, { HTTP_TIMEOUT_MS: '', ALLOW_UPGRADE: '  ' });
  assert.equal(s.HTTP_TIMEOUT_MS, 10_000);
  assert.equal(s.ALLOW_UPGRADE, false);
});

test("ALLOW_UPGRADE='false' means false (not coerced to true)", () => {
  assert.equal(parseSettings(sharedSettings, { ALLOW_UPGRADE: 'false' }).ALLOW_UPGRADE, false);
  assert.equal(parseSettings(sharedSettings, { ALLOW_UPGRADE: 'true' }).ALLOW_UPGRADE, true);
  assert.match(problemsOf({ ALLOW_UPGRADE: 'yesplease' })[0]!, /^ALLOW_UPGRADE: expected true or false \(got 'yesplease'\)/);
});

test('a bad TARGET_URL is named, with what was expected', () => {
  assert.match(problemsOf({ TARGET_URL: 'ftp://x.example' })[0]!, /^TARGET_URL: expected an http\(s\) URL/);
  assert.match(problemsOf({ TARGET_URL: 'not a url' })[0]!, /^TARGET_URL: expected an http\(s\) URL/);
  assert.match(problemsOf({ TARGET_URL: 'https://api.example.com/v2' })[0]!, /^TARGET_URL: give the base URL without \/v2/);
});

test('a trailing slash is dropped; a remote URL is labelled by its host and is not local', () => {
  const s = parseSettings(sharedSettings, { TARGET_URL: 'https://api.staging.example.com/' });
  assert.equal(s.TARGET_URL, 'https://api.staging.example.com');
  assert.equal(targetIsLocal(s), false);
  assert.equal(targetLabel(s), 'api.staging.example.com');
  assert.equal(targetIsLocal(parseSettings(sharedSettings, { TARGET_URL: 'http://127.0.0.1:9/' })), true);
});

test('numbers out of range and non-numbers are refused with the range', () => {
  assert.match(problemsOf({ HTTP_TIMEOUT_MS: '5' })[0]!, /^HTTP_TIMEOUT_MS: expected a whole number from 100 to 600000 \(got '5'\)/);
  assert.match(problemsOf({ HTTP_TIMEOUT_MS: 'soon' })[0]!, /^HTTP_TIMEOUT_MS: expected a whole number/);
});

test('every bad setting is reported at once', () => {
  assert.equal(problemsOf({ HTTP_TIMEOUT_MS: 'x', LOG_LEVEL: 'loud', TARGET_URL: 'nope' }).length, 3);
});

test('a secret-named setting never has its value echoed', () => {
  const p = problemsOf({ MONITOR_PASSWORD: '' }, { MONITOR_PASSWORD: setting.text() });
  assert.match(p[0]!, /MONITOR_PASSWORD: .*it is not set/);
  const q = problemsOf({ API_KEY: 'hunter2hunter2' }, { API_KEY: setting.int(1, 2) });
  assert.doesNotMatch(q[0]!, /hunter2/);
});

const target = (args: string[], env: Record<string, string> = {}) =>
  runCli(process.execPath, ['--import', 'tsx', 'reference/main.ts', ...args], env, 30_000);

test('a program given a bad setting exits 2 and names it, before doing anything', async () => {
  const r = await target([], { TARGET_PORT: 'eighty', TARGET_FAULTS: '' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /TARGET_PORT: expected a whole number from 0 to 65535 \(got 'eighty'\)/);
});

test('an unknown fault name stops the target with exit 2 and the list of known faults', async () => {
  const r = await target(['--faults', 'token-2h']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--faults: unknown fault 'token-2h' \(known: token-1h,/);
});

test('a taken TARGET_PORT stops npm run target with exit 2 and one sentence, not a stack trace', async () => {
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await target([], { TARGET_PORT: String(port), TARGET_HOST: '127.0.0.1', TARGET_FAULTS: '', TARGET_DB: ':memory:' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`TARGET_PORT: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
  } finally {
    busy.close();
  }
});

test('an unknown flag stops npm run target with exit 2 naming it and what was meant', async () => {
  const r = await target(['--port', '9']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /--port: not an option of npm run target; settings are environment variables: did you mean TARGET_PORT=9 npm run target\?/,
  );
  const near = await target(['--fault', 'token-1h']);
  assert.equal(near.code, 2, near.stderr);
  assert.match(near.stderr, /--fault: not an option of npm run target; did you mean --faults\?/);
});
