// What an exploration leaves for people: the release report's section (each distinct finding with its
// minimal counterexample, new ones first, known ones with their issue, listed ones that no longer
// happen, the seed to replay) and the release-check row (counted by property, known apart), with
// every text redacted and escaped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type FindingsFile, textReport } from '../../explore/report.ts';
import { exploreRow } from '../../parts/explore.ts';
import { writeReleaseReport } from '../../release/report.ts';
import { tempDir } from '../support/temp.ts';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Imh4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

const file: FindingsFile = {
  target: 'http://127.0.0.1:16768',
  generation: 'latest',
  runId: 'ab12cd',
  startedAt: '2026-11-25T20:00:00.000Z',
  seconds: 47.1,
  requests: 385,
  accounts: 62,
  budget: { runs: 20, seconds: 150 },
  drift: ['response.Organization (register)'],
  seed: 15,
  replay: 'EXPLORE_SEED=15 npm run explore',
  properties: [
    { name: 'no-5xx', checks: 'no input gives a 5xx', status: 'known' },
    { name: 'round-trip', checks: 'what register accepts logs in as typed', status: 'fail' },
    { name: 'uniqueness', checks: 'a username is registered once', status: 'pass' },
  ],
  scenarios: [{ name: 'round-trip', about: 'round trips', runs: 20, findings: 1 }],
  findings: [
    {
      property: 'round-trip',
      counterexample: 'round-trip {"passwordTail":"<b>&amp;"}',
      message: `an account with a password containing markup-like text: login answered 401 (token ${JWT})`,
      seed: 15,
      status: 'new',
      where: 'login by username as typed',
      symptom: 'answered 401, expected 200',
      kinds: ['password:markup'],
    },
    {
      property: 'no-5xx',
      counterexample: 'tokens {"endpoint":"refresh","mutation":{"kind":"header","shape":"missing"}}',
      message: 'no Authorization header, sent to refresh: refresh answered 500 with an empty body',
      seed: 15,
      status: 'known',
      knownIssue: 'explore-refresh-500-without-a-token',
      where: 'refresh',
      symptom: 'answered 500 with an empty body',
      kinds: [],
    },
  ],
  fixed: [{ id: 'explore-old-bug', property: 'uniqueness', counterexample: 'register {"again":"both"}', why: 'it passes now' }],
  covered: ['email:entity', 'login:json', 'password:entity', 'password:long', 'username:markup'],
  corpus: { inputs: 52, seconds: 9.4 },
};

test('the release report lists each finding with its minimal counterexample, escaped and redacted, and how to replay the run', () => {
  const dir = tempDir('hx-explore-report-');
  const out = join(dir, 'index.html');
  writeReleaseReport(out, {
    label: 'local',
    url: 'x',
    startedAt: new Date(),
    seconds: 1,
    results: [],
    history: [],
    loadRuns: [],
    exploration: file,
  });
  const html = readFileSync(out, 'utf8');
  assert.match(html, /Exploration: 1 new finding\(s\), 1 known, 1 no longer happening/);
  assert.match(html, /round-trip \{&quot;passwordTail&quot;:&quot;&lt;b&gt;&amp;amp;&quot;\}/, 'the counterexample, escaped');
  assert.match(html, /known \(explore-refresh-500-without-a-token\)/);
  assert.match(html, /explore-old-bug no longer happens \(it passes now\): remove it from known-issues.json/);
  assert.match(html, /EXPLORE_SEED=15 npm run explore/);
  assert.ok(html.indexOf('passwordTail') < html.indexOf('refresh answered 500'), 'new findings come first');
  assert.ok(!html.includes(JWT), 'a token in a finding reached the report');
  assert.ok(!html.includes('<b>&amp;'), 'markup from a counterexample reached the page unescaped');
});

test('the readable list says what is new, what is known, what no longer happens, and the verdict', () => {
  const text = textReport(file, 'reports/explore/findings.json');
  assert.match(text, /New findings \(1\):\n✖ round-trip: login by username as typed: answered 401, expected 200/);
  assert.match(text, /counterexample: round-trip \{"passwordTail":"<b>&amp;"\}/);
  assert.match(
    text,
    /Known issues that still happen \(1, listed in known-issues.json\):\n• no-5xx: refresh: .*\[known: explore-refresh-500-w/,
  );
  assert.match(text, /✖ explore-old-bug \(uniqueness\): it passes now/);
  assert.match(text, /^FAIL: 1 new finding\(s\), 1 known, 1 fixed; 20 inputs, 385 requests, 62 accounts \(hx-ab12cd-…\), 47\.1 s\.$/m);
  // What it tried, kind by kind, and what it did not.
  assert.match(
    text,
    /Input kinds tried \(a corpus of 52 inputs first, every kind each scenario knows, in 9\.4 s; then the random search\):/,
  );
  assert.match(text, /^ {2}password: entity, long \(not tried: unicode, whitespace, separator, markup, control\)$/m);
  assert.match(text, /^ {2}email: entity \(not tried: unicode, whitespace, separator, markup, control\)$/m);
  assert.match(text, /^ {2}other kinds of input: 1 \(login:json\)$/m);
});

test('the release-check row counts properties: passed, known (broken by listed issues only) and failed apart', () => {
  const r = exploreRow(file, { name: 'explore', code: 1, seconds: 47.1, file: 'findings.json' });
  assert.equal(r.unit, 'properties');
  assert.deepEqual([r.total, r.passed, r.known, r.failed], [3, 1, 1, 1]);
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.failures.map((f) => f.title),
    [
      'round-trip: login by username as typed: answered 401, expected 200',
      'known issue explore-old-bug no longer happens (it passes now): remove it from known-issues.json',
    ],
  );
  assert.deepEqual(
    r.knowns?.map((f) => f.message),
    ['explore-refresh-500-without-a-token: counterexample tokens {"endpoint":"refresh","mutation":{"kind":"header","shape":"missing"}}'],
  );
});
