// Drift is news, not an outage: under the harmless field-added fault every check passes, and each
// check that read a body carries a drift note that is stored with the pass, shown on the status
// page and in the --once summary and --json, and counted in temporal_monitor_contract_drift_fields.
// CONTRACT_STRICT=true turns it into a failure; a secret in a body is always one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_DRIFT_FIELDS } from '../../core/judge.ts';
import { MAX_DRIFT_SERIES } from '../../monitors/metrics.ts';
import { startTarget } from '../support/target.ts';
import { MonitorState } from '../../monitors/state.ts';
import { summaryJson, summaryTable } from '../../monitors/summary.ts';
import { freshKeysProxy, makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

const REGISTER_AND_LOGIN = ['RequestID (login)', 'RequestID (register)', 'response.Region (register)'];

test('field-added: every check passes, and the drift is noted, stored, shown and counted', async () => {
  const target = await startTarget({ faults: 'field-added' });
  const dir = tempDir();
  const m = makeMonitor(target.url, testSettings(dir));
  try {
    const { pass } = await m.monitor.pass();
    assert.equal(pass.status, 'pass', JSON.stringify(pass.checks, null, 1));
    assert.ok(pass.checks.every((c) => c.status === 'pass'));
    const drift = Object.fromEntries(pass.checks.map((c) => [c.name, [...(c.drift ?? [])].sort()]));
    assert.deepEqual(drift, {
      login: REGISTER_AND_LOGIN,
      'token-lifetime': [],
      'token-works': ['RequestID (creditsAvailable)', 'RequestID (usage)', 'response.Region (usage)'],
      refresh: ['RequestID (refresh)'],
      'token-across-runs': [],
      latency: [],
    });

    const stored = m.monitor.state.recentPasses(target.url, 1)[0]!;
    assert.deepEqual([...(stored.checks.find((c) => c.name === 'login')?.drift ?? [])].sort(), REGISTER_AND_LOGIN);
    assert.equal(stored.checks.find((c) => c.name === 'latency')?.drift, undefined);

    const html = readFileSync(join(dir, 'status.html'), 'utf8');
    assert.match(html, /<div class="drift">drift \(fields the contract does not know\): [^<]*response\.Region \(register\)/);

    const table = summaryTable(pass, target.url);
    assert.match(table, /≈ drift: .*RequestID \(refresh\)/);
    // The drift line sits under its check's message (core/text-table.ts lays the table out).
    const lines = table.split('\n');
    const messageColumn = lines.find((l) => l.startsWith('CHECK '))!.indexOf('MESSAGE');
    assert.ok(
      lines.filter((l) => l.includes('≈ drift')).every((l) => l.indexOf('≈') === messageColumn),
      table,
    );
    assert.match(table, /^PASS: all checks passed$/m);
    assert.match(table, /^drift: 7 field\(s\) the contract does not know: /m);
    const json = JSON.parse(summaryJson(pass, target.url)) as { checks: { name: string; drift?: string[] }[] };
    assert.deepEqual(json.checks.find((c) => c.name === 'refresh')?.drift, ['RequestID (refresh)']);

    const metrics = await m.monitor.metrics.text();
    assert.match(
      metrics,
      /^temporal_monitor_contract_drift_fields\{check="login",field="response\.Region \(register\)",target="selftest"\} 1$/m,
    );
    assert.match(
      metrics,
      /^temporal_monitor_contract_drift_fields\{check="token-works",field="response\.Region \(usage\)",target="selftest"\} 1$/m,
    );
    // The next pass keeps the account, so register's fields are no longer seen; login's still are.
    await m.monitor.pass();
    const again = await m.monitor.metrics.text();
    assert.match(again, /^temporal_monitor_contract_drift_fields\{check="login",field="RequestID \(login\)",target="selftest"\} 2$/m);
    assert.match(
      again,
      /^temporal_monitor_contract_drift_fields\{check="login",field="response\.Region \(register\)",target="selftest"\} 1$/m,
    );
  } finally {
    await m.monitor.stop();
    await target.close();
  }
});

test('a clean target has no drift: no note, no counter sample', async () => {
  const target = await startTarget();
  const m = makeMonitor(target.url, testSettings(tempDir()));
  try {
    const { pass } = await m.monitor.pass();
    assert.equal(pass.status, 'pass');
    assert.ok(pass.checks.every((c) => c.drift === undefined));
    assert.doesNotMatch(await m.monitor.metrics.text(), /^temporal_monitor_contract_drift_fields\{/m);
    assert.doesNotMatch(summaryTable(pass, target.url), /drift/);
  } finally {
    await m.monitor.stop();
    await target.close();
  }
});

test('CONTRACT_STRICT=true: an added field fails the check that read it, naming the fields', async () => {
  const target = await startTarget({ faults: 'field-added' });
  const m = makeMonitor(target.url, testSettings(tempDir(), { CONTRACT_STRICT: 'true' }));
  try {
    const { pass } = await m.monitor.pass();
    const login = pass.checks.find((c) => c.name === 'login')!;
    assert.equal(pass.status, 'fail');
    assert.equal(login.status, 'fail');
    assert.match(login.message, /the register answer breaks the contract: fields the contract does not know: RequestID, response\.Region/);
    assert.deepEqual(login.drift, ['RequestID (register)', 'response.Region (register)']);
  } finally {
    await m.monitor.stop();
    await target.close();
  }
});

test('a secret in a body fails the check, known field or not, and the message never holds it', async () => {
  const target = await startTarget({ faults: 'hash-not-scrubbed' });
  const m = makeMonitor(target.url, testSettings(tempDir()));
  try {
    const { pass, secrets } = await m.monitor.pass();
    const login = pass.checks.find((c) => c.name === 'login')!;
    assert.equal(login.status, 'fail');
    assert.match(login.message, /a bcrypt password hash, hex-encoded as Go stores it, is in the body \(at response\.HashedPassword\)/);
    for (const s of secrets) assert.ok(!login.message.includes(s));
    assert.doesNotMatch(login.message, /2432612431302/);
  } finally {
    await m.monitor.stop();
    await target.close();
  }
});

test('a state file from before drift notes gets the column and keeps its history', () => {
  const path = join(tempDir(), 'old.db');
  const old = new Database(path);
  old.exec(
    `CREATE TABLE passes (id INTEGER PRIMARY KEY, target TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms REAL NOT NULL,
    status TEXT NOT NULL, token_expire_s INTEGER);
    CREATE TABLE check_results (pass_id INTEGER NOT NULL REFERENCES passes(id) ON DELETE CASCADE, ord INTEGER NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL, duration_ms REAL NOT NULL, attempts INTEGER NOT NULL, message TEXT NOT NULL, retried TEXT, PRIMARY ` +
      `KEY (pass_id, ord));
    INSERT INTO passes VALUES (1, 'T', 1000, 5, 'pass', NULL);
    INSERT INTO check_results VALUES (1, 0, 'login', 'pass', 5, 1, 'fine', NULL);`,
  );
  old.close();
  const s = new MonitorState(path);
  try {
    assert.equal(s.recentPasses('T', 10)[0]?.checks[0]?.message, 'fine');
    s.recordPass(
      {
        target: 'T',
        targetLabel: 'T',
        startedAt: 2000,
        durationMs: 5,
        status: 'pass',
        checks: [{ name: 'login', status: 'pass', durationMs: 5, attempts: 1, message: 'ok', drift: ['response.Organization (register)'] }],
        steps: [],
      },
      { drop: [] },
    );
    assert.deepEqual(s.recentPasses('T', 10)[1]?.checks[0]?.drift, ['response.Organization (register)']);
  } finally {
    s.close();
  }
});

test('a target adding thousands of fresh keys to every answer: series, stored drift and the page stay bounded', async () => {
  const target = await startTarget();
  const hostile = await freshKeysProxy(target.url, 2000);
  const dir = tempDir();
  const m = makeMonitor(hostile.url, testSettings(dir));
  try {
    const sizes: { metrics: number; stored: number; page: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const { pass } = await m.monitor.pass();
      for (const c of pass.checks) assert.ok((c.drift?.length ?? 0) <= MAX_DRIFT_FIELDS + 1, `${c.name}: ${c.drift?.length} drift entries`);
      const login = pass.checks.find((c) => c.name === 'login')!;
      assert.match(login.drift?.at(-1) ?? '', /^… and \d+ more fields$/);
      const db = new Database(join(dir, 'monitor.db'), { readonly: true });
      const stored = db.prepare('SELECT SUM(LENGTH(drift)) AS n FROM check_results WHERE pass_id = (SELECT MAX(id) FROM passes)').get() as {
        n: number;
      };
      db.close();
      sizes.push({
        metrics: (await m.monitor.metrics.text()).length,
        stored: stored.n,
        page: readFileSync(join(dir, 'status.html')).length,
      });
    }
    const metrics = await m.monitor.metrics.text();
    const series = metrics.split('\n').filter((l) => l.startsWith('temporal_monitor_contract_drift_fields{'));
    // The cap and one "(more fields)" series per check that saw drift.
    assert.ok(series.length <= MAX_DRIFT_SERIES + 6, `${series.length} drift series`);
    assert.match(metrics, /^temporal_monitor_contract_drift_fields\{check="login",field="\(more fields\)",target="selftest"\} \d+$/m);
    // 8 000 fresh fields a pass: what is kept per pass does not grow with them.
    for (const s of sizes) {
      assert.ok(s.stored < 8 * 1024, `drift stored with one pass: ${s.stored} bytes`);
      assert.ok(s.metrics < 64 * 1024, `/metrics: ${s.metrics} bytes`);
      assert.ok(s.page < 256 * 1024, `status page: ${s.page} bytes`);
    }
    assert.ok(sizes[3]!.metrics - sizes[1]!.metrics < 2048, `/metrics grows pass after pass: ${sizes.map((s) => s.metrics).join(', ')}`);
  } finally {
    await m.monitor.stop();
    await hostile.close();
    await target.close();
  }
});
