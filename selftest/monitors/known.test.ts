// Known issues in the monitor: a check a known issue in force names that fails is `known`: the pass
// passes (exit 0), nobody is paged (and a page already out is resolved), the metrics, the summary and
// the status page say known; it is tried once, not retried. When the bug no longer happens the check
// fails, saying its entry must go.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTarget } from '../support/target.ts';
import { summaryTable } from '../../monitors/summary.ts';
import { runCli } from '../support/cli.ts';
import { makeMonitor, tempDir, testSettings, webhookReceiver } from '../support/monitor.ts';

type Slack = { text: string };

test('a known issue that happens is known, not failed: no page (one out is resolved), exit 0, said everywhere; fixed, fails', async () => {
  const target = await startTarget();
  const hook = await webhookReceiver();
  const dir = tempDir();
  const list = join(dir, 'known-issues.json');
  writeFileSync(
    list,
    JSON.stringify({
      issues: [
        {
          id: 'credits-as-string',
          where: { generation: 'documented' },
          check: 'token-works',
          reason: 'credits come back as a string',
          since: '2026-11-25',
        },
      ],
    }),
  );
  const base = { MONITOR_ALERT_WEBHOOK_URL: hook.url, MONITOR_ALERT_AFTER: '2', MONITOR_ALERT_RETRIES: '0' };
  // Before the entry: the bug pages after two failed passes.
  let m = makeMonitor(target.url, testSettings(dir, base));
  const pass = async () => {
    const r = await m.monitor.pass();
    await r.delivery;
    return r.pass;
  };
  try {
    target.setFaults('credits-string');
    await pass();
    await pass();
    assert.equal(hook.bodies.length, 1);
    assert.match((hook.bodies[0] as Slack).text, /token-works has failed 2 passes in a row/);
    await m.monitor.stop();
    // The team accepts it: the entry is in force, retries are configured but a known issue is not retried.
    m = makeMonitor(target.url, testSettings(dir, { ...base, KNOWN_ISSUES_FILE: list, MONITOR_RETRIES: '2' }));
    const p = await pass();
    const works = p.checks.find((c) => c.name === 'token-works')!;
    assert.equal(works.status, 'known');
    assert.equal(works.attempts, 1, 'a known issue is not retried');
    assert.match(works.message, /^known issue credits-as-string: /);
    assert.equal(p.status, 'pass', 'a known failure does not fail the pass: exit 0');
    assert.equal(hook.bodies.length, 2, 'the page that was out is resolved');
    assert.match((hook.bodies[1] as Slack).text, /token-works passes again/);
    await pass();
    assert.equal(hook.bodies.length, 2, 'nobody is paged for a known issue');
    const metrics = await m.monitor.metrics.text();
    assert.match(metrics, /temporal_monitor_check_status\{check="token-works",status="known",target="selftest"\} 1/);
    assert.match(metrics, /temporal_monitor_check_failures_in_row\{check="token-works",target="selftest"\} 0/);
    const table = summaryTable(p, target.url);
    assert.match(table, /token-works\s+KNOWN\s/);
    assert.match(table, /PASS: all checks passed, but for known issues: token-works/);
    assert.match(table, /known: token-works: credits-as-string: credits come back as a string \(known since 2026-11-25\)/);
    const page = readFileSync(join(dir, 'status.html'), 'utf8');
    assert.match(page, /<h2>Known issues in force<\/h2>/);
    assert.match(page, /data-issue="credits-as-string"/);
    assert.match(page, /data-check="token-works" data-status="known"/);
    // Fixed: the check passes, so it fails until the entry is removed, and says so.
    target.setFaults('');
    const fixed = await pass();
    const now = fixed.checks.find((c) => c.name === 'token-works')!;
    assert.equal(now.status, 'fail');
    assert.match(now.message, /^known issue credits-as-string no longer happens \(it passed\): the bug looks fixed, so remove its entry/);
    assert.equal(fixed.status, 'fail');
  } finally {
    await m.monitor.stop();
    await hook.close();
    await target.close();
  }
});

test('a known issue naming a check the monitor lacks, or a list not JSON: exit 2 before any traffic, the setting named', async () => {
  const dir = tempDir();
  const list = join(dir, 'known-issues.json');
  const run = () =>
    runCli(process.execPath, ['--import', 'tsx', 'monitors/main.ts', '--once'], {
      KNOWN_ISSUES_FILE: list,
      MONITOR_DB: join(dir, 'monitor.db'),
      TARGET_URL: 'http://127.0.0.1:9',
    });
  writeFileSync(
    list,
    JSON.stringify({ issues: [{ id: 'typo', where: { generation: 'documented' }, check: 'refersh', reason: 'r', since: '2026-11-25' }] }),
  );
  let r = await run();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /KNOWN_ISSUES_FILE: typo names the check 'refersh', which the monitor does not have \(its checks: login, /);
  writeFileSync(list, '{"issues": [');
  r = await run();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /KNOWN_ISSUES_FILE: .* cannot be read as JSON/);
});
