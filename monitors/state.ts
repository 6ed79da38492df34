// The monitor's memory, in one SQLite file: pass history, the dedicated account, the tokens kept for
// the across-runs check, and alert state. WAL + one transaction per pass, so a crash mid-write leaves
// the previous state whole. The file holds secrets (a password, tokens): created 0600, never reported.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckName, CheckResult, CheckStatus, PassResult, StepTiming } from './types.ts';

export interface Account {
  username: string;
  password: string;
  email: string;
}

export interface KeptToken {
  id: number;
  token: string;
  issuedAtMs: number;
  expireS: number;
}

/** What a pass decided about kept tokens; applied in the pass's transaction. */
export interface TokenChanges {
  keep?: { token: string; issuedAtMs: number; expireS: number };
  drop: number[];
}

export interface AlertState {
  state: 'firing' | 'ok';
  /** Was the last change told to the webhook? */
  notified: boolean;
  sinceMs: number;
  message: string;
}

export interface StoredPass {
  id: number;
  startedAt: number;
  durationMs: number;
  status: 'pass' | 'fail';
  tokenExpireS?: number;
  checks: CheckResult[];
  steps: StepTiming[];
}

export interface Retention {
  days: number;
  passes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS passes (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, started_at INTEGER NOT NULL, duration_ms REAL NOT NULL,
  status TEXT NOT NULL, token_expire_s INTEGER);
CREATE INDEX IF NOT EXISTS passes_target_time ON passes(target, started_at);
CREATE TABLE IF NOT EXISTS check_results (
  pass_id INTEGER NOT NULL REFERENCES passes(id) ON DELETE CASCADE, ord INTEGER NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, duration_ms REAL NOT NULL, attempts INTEGER NOT NULL, message TEXT NOT NULL, retried TEXT,
  PRIMARY KEY (pass_id, ord));
CREATE TABLE IF NOT EXISTS steps (
  pass_id INTEGER NOT NULL REFERENCES passes(id) ON DELETE CASCADE, step TEXT NOT NULL, ms REAL NOT NULL);
CREATE INDEX IF NOT EXISTS steps_pass ON steps(pass_id);
CREATE TABLE IF NOT EXISTS accounts (
  target TEXT PRIMARY KEY, username TEXT NOT NULL, password TEXT NOT NULL, email TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kept_tokens (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, token TEXT NOT NULL, issued_at INTEGER NOT NULL, expire_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_state (
  target TEXT NOT NULL, check_name TEXT NOT NULL, state TEXT NOT NULL, notified INTEGER NOT NULL,
  since INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (target, check_name));
`;

/** Creates the file (and its folder) readable by its owner only, before SQLite opens it. */
function createPrivate(path: string): void {
  if (path === ':memory:') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

export class MonitorState {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    createPrivate(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    // Drift notes came later: a state file from before gets the column (NULL = no drift seen).
    const columns = this.db.prepare("SELECT name FROM pragma_table_info('check_results')").all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'drift')) this.db.exec('ALTER TABLE check_results ADD COLUMN drift TEXT');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- account ----

  account(target: string): Account | undefined {
    return this.db.prepare('SELECT username, password, email FROM accounts WHERE target = ?').get(target) as Account | undefined;
  }

  saveAccount(target: string, a: Account): void {
    this.db
      .prepare('INSERT OR REPLACE INTO accounts (target, username, password, email, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(target, a.username, a.password, a.email, Date.now());
  }

  /** Forgets the account and tokens of a target that starts empty every time (the bundled one). */
  forgetTarget(target: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM accounts WHERE target = ?').run(target);
      this.db.prepare('DELETE FROM kept_tokens WHERE target = ?').run(target);
    })();
  }

  // ---- kept tokens ----

  keptTokens(target: string): KeptToken[] {
    return this.db
      .prepare('SELECT id, token, issued_at AS issuedAtMs, expire_s AS expireS FROM kept_tokens WHERE target = ? ORDER BY issued_at')
      .all(target) as KeptToken[];
  }

  // ---- passes ----

  /** Stores a pass, its checks and steps, and its token changes, all or nothing; then applies retention. */
  recordPass(pass: PassResult, tokens: TokenChanges, retention?: Retention): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO passes (target, started_at, duration_ms, status, token_expire_s) VALUES (?, ?, ?, ?, ?)')
          .run(pass.target, pass.startedAt, pass.durationMs, pass.status, pass.tokenExpireS ?? null).lastInsertRowid,
      );
      const addCheck = this.db.prepare(
        'INSERT INTO check_results (pass_id, ord, name, status, duration_ms, attempts, message, retried, drift) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const [i, c] of pass.checks.entries())
        addCheck.run(
          id,
          i,
          c.name,
          c.status,
          c.durationMs,
          c.attempts,
          c.message,
          c.retried ? JSON.stringify(c.retried) : null,
          c.drift?.length ? JSON.stringify(c.drift) : null,
        );
      const addStep = this.db.prepare('INSERT INTO steps (pass_id, step, ms) VALUES (?, ?, ?)');
      for (const s of pass.steps) addStep.run(id, s.step, s.ms);
      const drop = this.db.prepare('DELETE FROM kept_tokens WHERE id = ? AND target = ?');
      for (const t of tokens.drop) drop.run(t, pass.target);
      if (tokens.keep)
        this.db
          .prepare('INSERT INTO kept_tokens (target, token, issued_at, expire_s) VALUES (?, ?, ?, ?)')
          .run(pass.target, tokens.keep.token, tokens.keep.issuedAtMs, tokens.keep.expireS);
      if (retention) this.applyRetention(retention, pass.startedAt);
      return id;
    })();
  }

  private applyRetention(r: Retention, nowMs: number): void {
    this.db.prepare('DELETE FROM passes WHERE started_at < ?').run(nowMs - r.days * 86_400_000);
    this.db.prepare('DELETE FROM passes WHERE id <= (SELECT id FROM passes ORDER BY id DESC LIMIT 1 OFFSET ?)').run(r.passes);
  }

  /** The latest `limit` passes of a target, oldest first, with their checks and steps. */
  recentPasses(target: string, limit: number): StoredPass[] {
    const rows = this.db
      .prepare(
        'SELECT id, started_at AS startedAt, duration_ms AS durationMs, status, token_expire_s AS tokenExpireS FROM passes WHERE target = ? ORDER BY id DESC LIMIT ?',
      )
      .all(target, limit) as Array<Omit<StoredPass, 'checks' | 'steps'> & { tokenExpireS: number | null }>;
    if (rows.length === 0) return [];
    const minId = rows[rows.length - 1]!.id;
    const checks = this.db
      .prepare(
        `SELECT c.pass_id AS passId, c.name, c.status, c.duration_ms AS durationMs, c.attempts, c.message, c.retried, c.drift
         FROM check_results c JOIN passes p ON p.id = c.pass_id WHERE p.target = ? AND c.pass_id >= ? ORDER BY c.pass_id, c.ord`,
      )
      .all(target, minId) as Array<{
      passId: number;
      name: CheckName;
      status: CheckStatus;
      durationMs: number;
      attempts: number;
      message: string;
      retried: string | null;
      drift: string | null;
    }>;
    const steps = this.db
      .prepare(
        'SELECT s.pass_id AS passId, s.step, s.ms FROM steps s JOIN passes p ON p.id = s.pass_id WHERE p.target = ? AND s.pass_id >= ?',
      )
      .all(target, minId) as Array<{ passId: number; step: string; ms: number }>;
    const byId = new Map<number, StoredPass>();
    for (const r of rows.reverse()) byId.set(r.id, { ...r, tokenExpireS: r.tokenExpireS ?? undefined, checks: [], steps: [] });
    for (const c of checks) {
      const { passId, retried, drift, ...rest } = c;
      byId.get(passId)?.checks.push({
        ...rest,
        ...(retried ? { retried: JSON.parse(retried) as string[] } : {}),
        ...(drift ? { drift: JSON.parse(drift) as string[] } : {}),
      });
    }
    for (const s of steps) byId.get(s.passId)?.steps.push({ step: s.step, ms: s.ms });
    return [...byId.values()];
  }

  passCount(target?: string): number {
    const row = (
      target === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM passes').get()
        : this.db.prepare('SELECT COUNT(*) AS n FROM passes WHERE target = ?').get(target)
    ) as { n: number };
    return row.n;
  }

  /** How many of the latest passes in a row this check failed (skipped passes neither break nor extend the run). */
  consecutiveFailures(target: string, check: CheckName, lookBack = 1000): number {
    const rows = this.db
      .prepare(
        `SELECT c.status FROM check_results c JOIN passes p ON p.id = c.pass_id
         WHERE p.target = ? AND c.name = ? AND c.status != 'skipped' ORDER BY c.pass_id DESC LIMIT ?`,
      )
      .all(target, check, lookBack) as Array<{ status: CheckStatus }>;
    let n = 0;
    for (const r of rows) {
      if (r.status !== 'fail') break;
      n++;
    }
    return n;
  }

  /** The last time each check passed (or was degraded), ms. */
  lastSuccess(target: string): Map<CheckName, number> {
    const rows = this.db
      .prepare(
        `SELECT c.name, MAX(p.started_at) AS t FROM check_results c JOIN passes p ON p.id = c.pass_id
         WHERE p.target = ? AND c.status IN ('pass', 'degraded') GROUP BY c.name`,
      )
      .all(target) as Array<{ name: CheckName; t: number }>;
    return new Map(rows.map((r) => [r.name, r.t]));
  }

  // ---- alerts ----

  alertState(target: string, check: CheckName): AlertState | undefined {
    const r = this.db
      .prepare('SELECT state, notified, since AS sinceMs, message FROM alert_state WHERE target = ? AND check_name = ?')
      .get(target, check) as { state: 'firing' | 'ok'; notified: number; sinceMs: number; message: string } | undefined;
    return r && { ...r, notified: r.notified === 1 };
  }

  setAlertState(target: string, check: CheckName, s: AlertState): void {
    this.db
      .prepare('INSERT OR REPLACE INTO alert_state (target, check_name, state, notified, since, message) VALUES (?, ?, ?, ?, ?, ?)')
      .run(target, check, s.state, s.notified ? 1 : 0, s.sinceMs, s.message);
  }
}
