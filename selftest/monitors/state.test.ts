// The state file: history survives a restart and a crash mid-write (one transaction per pass),
// retention trims old passes, and the file (it holds a password and tokens) is private.
import { execaSync } from 'execa';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MonitorState } from '../../monitors/state.ts';
import type { PassResult } from '../../monitors/types.ts';
import { tempDir } from '../support/monitor.ts';

const passAt = (t: number, status: 'pass' | 'fail' = 'pass'): PassResult => ({
  target: 'T',
  targetLabel: 'T',
  startedAt: t,
  durationMs: 12,
  status,
  checks: [{ name: 'login', status: status === 'pass' ? 'pass' : 'fail', durationMs: 10, attempts: 1, message: 'm' }],
  steps: [{ step: 'login', ms: 10 }],
});

test('history, the account and kept tokens survive a restart; the file is readable by its owner only', () => {
  const path = join(tempDir(), 'sub', 'monitor.db');
  const a = new MonitorState(path);
  a.saveAccount('T', { username: 'u', password: 'p', email_address: 'e' });
  a.recordPass(passAt(Date.now()), { drop: [], keep: { token: 'tok', issuedAtMs: Date.now(), expireS: 1 } });
  a.recordPass(passAt(Date.now(), 'fail'), { drop: [] });
  a.close();
  const b = new MonitorState(path);
  assert.equal(b.recentPasses('T', 10).length, 2);
  assert.equal(b.account('T')?.username, 'u');
  assert.equal(b.keptTokens('T').length, 1);
  assert.equal(b.consecutiveFailures('T', 'login'), 1);
  b.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a crash in the middle of writing a pass leaves the earlier history whole and no half pass', () => {
  const path = join(tempDir(), 'monitor.db');
  const s = new MonitorState(path);
  s.recordPass(passAt(Date.now()), { drop: [] });
  s.close();
  // A child writes a pass inside a transaction and dies (SIGKILL) before it commits.
  const child =
    `
    import Database from 'better-sqlite3';
    const db = new Database(${JSON.stringify(path)});
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN');
    db.prepare("INSERT INTO passes (target, started_at, duration_ms, status) VALUES ('T', 1, 1, 'fail')").run();
    db.prepare("INSERT INTO check_results (pass_id, ord, name, status, duration_ms, attempts, message) VALUES ` +
    `(last_insert_rowid(), 0, 'login', 'fail', 1, 1, 'x')").run();
    process.kill(process.pid, 'SIGKILL');`;
  const r = execaSync(process.execPath, ['--input-type=module', '-e', child], { reject: false });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const again = new MonitorState(path);
  const passes = again.recentPasses('T', 10);
  assert.equal(passes.length, 1);
  assert.equal(passes[0]!.status, 'pass');
  assert.equal(again.consecutiveFailures('T', 'login'), 0);
  again.close();
});

test('retention drops passes older than the age limit and beyond the count limit', () => {
  const s = new MonitorState(join(tempDir(), 'monitor.db'));
  const now = Date.now();
  s.recordPass(passAt(now - 40 * 86_400_000), { drop: [] });
  for (let i = 0; i < 15; i++) s.recordPass(passAt(now - (15 - i) * 1000), { drop: [] }, { days: 30, passes: 10 });
  const kept = s.recentPasses('T', 100);
  assert.equal(kept.length, 10);
  assert.ok(kept.every((p) => p.startedAt > now - 86_400_000));
  assert.equal(kept[0]!.checks.length, 1, 'check results go with their pass');
  s.close();
});
