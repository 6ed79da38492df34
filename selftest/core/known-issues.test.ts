import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { applies, type KnownIssue, knownIssuesFor, readKnownIssues } from '../../core/known-issues.ts';
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
  // The loopback bypass of issue 10: the host here is elsewhere.example, not 127.0.0.1.
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
