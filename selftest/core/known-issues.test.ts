import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import {
  applies,
  fixedMessage,
  type KnownIssue,
  knownIssueForCheck,
  knownIssueForTest,
  knownIssuesFor,
  knownIssuesInForce,
  readKnownIssues,
  testsOf,
} from '../../core/known-issues.ts';
import { SettingsError } from '../../core/settings.ts';
import { CHECK_NAMES } from '../../monitors/types.ts';
import { tempDir } from '../support/temp.ts';

const entry = (o: Partial<KnownIssue>): KnownIssue => ({
  id: 'refresh-without-token-500',
  where: { generation: 'latest' },
  test: 'refresh without a token is refused: 401',
  reason: 'gin-jwt dereferences the missing token',
  since: '2026-11-25',
  ...o,
});

test('the committed known-issues list is valid', () => {
  assert.ok(Array.isArray(readKnownIssues()));
});

test('an entry applies by generation, by URL pattern, or by both', () => {
  const latest = { generation: 'latest' as const, url: 'http://127.0.0.1:16768' };
  assert.equal(applies(entry({}), latest), true);
  assert.equal(applies(entry({}), { generation: 'documented' }), false);
  assert.equal(applies(entry({ where: { url: 'http://127.0.0.1:*' } }), latest), true);
  assert.equal(applies(entry({ where: { url: 'https://api.staging.example.com*' } }), latest), false);
  assert.equal(applies(entry({ where: { url: 'http://127.0.0.1:*' } }), { generation: 'latest' }), false, 'the bundled target has no URL');
  assert.equal(applies(entry({ where: { generation: 'documented', url: 'http://127.0.0.1:*' } }), latest), false);
  // The pattern is a glob, not a regular expression: dots are dots.
  assert.equal(
    applies(entry({ where: { url: 'http://127.0.0.1:16768' } }), { generation: 'latest', url: 'http://127x0x0x1:16768' }),
    false,
  );
});

test('a URL pattern is matched against the canonical URL the settings give; a URL the rules refuse matches nothing', () => {
  const staging = entry({ where: { url: 'https://api.staging.example.com' } });
  assert.equal(applies(staging, { generation: 'latest', url: 'HTTPS://API.Staging.Example.COM:443/' }), true);
  const local = entry({ where: { url: 'http://127.0.0.1:*' } });
  // The loopback bypass once found (user:password@ before the host): the host here is elsewhere.example, not 127.0.0.1.
  assert.equal(applies(local, { generation: 'latest', url: 'http://127.0.0.1:x@elsewhere.example' }), false);
  assert.equal(applies(local, { generation: 'latest', url: 'http://127.0.0.1:8080/?x=1' }), false);
});

test('a broken list is refused with the entry and field named', () => {
  const dir = tempDir();
  const file = join(dir, 'known-issues.json');
  writeFileSync(file, JSON.stringify({ issues: [{ ...entry({}), check: 'refresh' }] }));
  assert.throws(() => readKnownIssues(file), /exactly one of test, check or property/);
  writeFileSync(file, JSON.stringify({ issues: [{ ...entry({}), since: 'yesterday' }] }));
  assert.throws(() => readKnownIssues(file), /since/);
  writeFileSync(file, JSON.stringify({ issues: [entry({}), entry({})] }));
  assert.throws(() => readKnownIssues(file), /listed twice/);
  writeFileSync(file, JSON.stringify({ issues: [entry({ where: {} })] }));
  assert.throws(() => readKnownIssues(file), /generation, a url pattern, or both/);
});

test('knownIssuesFor keeps the entries in force against the target', () => {
  const all = [entry({}), entry({ id: 'other', where: { generation: 'documented' } })];
  assert.deepEqual(
    knownIssuesFor({ generation: 'latest' }, all).map((k) => k.id),
    ['refresh-without-token-500'],
  );
});

test('one entry may name the several tests one bug fails; a test or a check finds its entry', () => {
  const all = [
    entry({ test: ['refresh refuses a garbage token: 401', 'refresh without a token is refused: 401'] }),
    entry({ id: 'refresh-check', test: undefined, check: 'refresh' }),
  ];
  assert.deepEqual(testsOf(all[0]!), ['refresh refuses a garbage token: 401', 'refresh without a token is refused: 401']);
  assert.equal(knownIssueForTest('refresh without a token is refused: 401', all)?.id, 'refresh-without-token-500');
  assert.equal(knownIssueForTest('refresh keeps the original login time', all), undefined);
  assert.equal(knownIssueForCheck('refresh', all)?.id, 'refresh-check');
  assert.equal(knownIssueForCheck('login', all), undefined);
  assert.match(fixedMessage(all[0]!), /^known issue refresh-without-token-500 no longer happens .*remove its entry .*since 2026-11-25/);
});

test('the list in force comes from KNOWN_ISSUES_FILE, and a broken one is a bad setting named as such', () => {
  const dir = tempDir();
  const file = join(dir, 'mine.json');
  writeFileSync(file, JSON.stringify({ issues: [entry({ where: { url: 'https://api.staging.example.com' } })] }));
  assert.deepEqual(
    knownIssuesInForce({ KNOWN_ISSUES_FILE: file, TARGET_GENERATION: 'documented', TARGET_URL: 'https://api.staging.example.com' }).map(
      (k) => k.id,
    ),
    ['refresh-without-token-500'],
  );
  assert.deepEqual(knownIssuesInForce({ KNOWN_ISSUES_FILE: file, TARGET_GENERATION: 'latest' }), []);
  // The harness's own list is in force for the latest generation.
  assert.ok(knownIssuesInForce({ TARGET_GENERATION: 'latest' }).some((k) => k.id === 'refresh-500-without-a-token'));
  for (const broken of ['{"issues": [', JSON.stringify({ issues: [{ id: 'x' }] })]) {
    writeFileSync(file, broken);
    assert.throws(
      () => knownIssuesInForce({ KNOWN_ISSUES_FILE: file, TARGET_GENERATION: 'latest' }),
      (e: unknown) => e instanceof SettingsError && /^KNOWN_ISSUES_FILE: /.test(e.problems[0]!),
    );
  }
  assert.throws(
    () => knownIssuesInForce({ KNOWN_ISSUES_FILE: join(dir, 'none.json'), TARGET_GENERATION: 'latest' }),
    /KNOWN_ISSUES_FILE: .*cannot be read/,
  );
});

test('every check the committed list names is a monitor check', () => {
  for (const k of readKnownIssues())
    if (k.check) assert.ok((CHECK_NAMES as readonly string[]).includes(k.check), `${k.id}: no monitor check '${k.check}'`);
});
