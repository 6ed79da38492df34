// The monitor's memory, in one SQLite file: pass history, the dedicated account, the tokens kept for
// the across-runs check, and alert state. WAL + one transaction per pass, so a crash mid-write leaves
// the previous state whole. The file holds secrets (a password, tokens): created 0600, never reported.
import type Database from 'better-sqlite3';
import type { Account } from '../core/accounts.ts';
import type { Generation } from '../core/contract.ts';
import { openStateDatabase, stateFileError } from './state-file.ts';
import type { CheckName, CheckResult, CheckStatus, PassResult, PassStatus, StepTiming } from './types.ts';

export type { Account };

export interface KeptToken {
  id: number;
  token: string;
  issuedAtMs: number;
  expireS: number;
}

/** What a pass decided about kept tokens; applied in the pass's transaction. */
export interface TokenChanges {
  /** The account key the tokens belong to (TARGET_URL or `bundled`) when it differs from the pass's timeline. */
  target?: string;
  keep?: { token: string; issuedAtMs: number; expireS: number };
  drop: number[];
}

/** What the monitoring account's credits and tier were when a pass last accepted them. */
export interface AccountValues {
  credits: number;
  tier: string;
  seenAtMs: number;
}

export interface AlertState {
  state: 'firing' | 'ok';
  sinceMs: number;
  message: string;
  /** When the latest firing or reminder was queued (for the next reminder). */
  remindedAtMs?: number;
}

export type AlertChannel = 'webhook' | 'pagerduty' | 'alertmanager';
export type AlertKind = 'firing' | 'reminder' | 'recovered';

/** A notification owed to a channel: queued when decided, deleted once delivered. */
export interface OwedAlert {
  id: number;
  check: CheckName;
  channel: AlertChannel;
  kind: AlertKind;
  /** The channel's body, without secrets (PagerDuty's routing key is added when sending). */
  payload: unknown;
  createdMs: number;
  attempts: number;
}

export interface Uptime {
  passed: number;
  total: number;
}

export interface StoredPass {
  id: number;
  startedAt: number;
  durationMs: number;
  status: PassStatus;
  tokenExpireS?: number;
  tokenLifetimeS?: number;
  maintenance?: boolean;
  checks: CheckResult[];
  steps: StepTiming[];
}

/** One pass as the status page's charts need it: no messages, checks and steps folded in. */
export interface HistoryRow {
  id: number;
  startedAt: number;
  durationMs: number;
  status: PassStatus;
  maintenance: boolean;
  tokenLifetimeS?: number;
  checks: Partial<Record<CheckName, CheckStatus>>;
  steps: Record<string, number>;
}

/** A check result worth a message on the page's history (failed or degraded). */
export interface NotableResult {
  passId: number;
  check: CheckName;
  status: CheckStatus;
  message: string;
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
CREATE TABLE IF NOT EXISTS account_values (
  target TEXT NOT NULL, username TEXT NOT NULL, credits REAL NOT NULL, tier TEXT NOT NULL, seen_at INTEGER NOT NULL,
  PRIMARY KEY (target, username));
CREATE TABLE IF NOT EXISTS kept_tokens (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, token TEXT NOT NULL, issued_at INTEGER NOT NULL, expire_s INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_state (
  target TEXT NOT NULL, check_name TEXT NOT NULL, state TEXT NOT NULL, notified INTEGER NOT NULL,
  since INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (target, check_name));
CREATE TABLE IF NOT EXISTS alert_outbox (
  id INTEGER PRIMARY KEY, target TEXT NOT NULL, check_name TEXT NOT NULL, channel TEXT NOT NULL, kind TEXT NOT NULL,
  payload TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
`;

/** Columns added after the first release: added in place to an older file (history is kept). */
const ADDED_COLUMNS: Array<[table: string, column: string, type: string]> = [
  ['passes', 'maintenance', 'INTEGER NOT NULL DEFAULT 0'],
  ['passes', 'token_lifetime_s', 'REAL'],
  ['alert_state', 'reminded_at', 'INTEGER'],
  // Drift notes (NULL = no drift seen).
  ['check_results', 'drift', 'TEXT'],
  // The generation the dedicated account showed when it was made (TARGET_GENERATION=auto): told once.
  ['accounts', 'generation', 'TEXT'],
];

export class MonitorState {
  private readonly db: Database.Database;

  /** Throws StateFileError (a bad MONITOR_DB) for a file that is a link, damaged, not SQLite or locked. */
  constructor(readonly path: string) {
    // Checked, and made readable by its owner only, before anything is written (state-file.ts).
    this.db = openStateDatabase(path);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
      for (const [table, column, type] of ADDED_COLUMNS) {
        const has = (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
        if (!has) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    } catch (err) {
      this.db.close();
      throw stateFileError(path, err);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- account ----

  account(target: string): Account | undefined {
    return this.db.prepare('SELECT username, password, email AS email_address FROM accounts WHERE target = ?').get(target) as
      | Account
      | undefined;
  }

  /** The generation the dedicated account of `target` showed when it was made (TARGET_GENERATION=auto). */
  accountGeneration(target: string): Generation | undefined {
    const row = this.db.prepare('SELECT generation FROM accounts WHERE target = ?').get(target) as
      | { generation: string | null }
      | undefined;
    return row?.generation === 'latest' || row?.generation === 'documented' ? row.generation : undefined;
  }

  saveAccount(target: string, a: Account, generation?: Generation): void {
    this.db
      .prepare('INSERT OR REPLACE INTO accounts (target, username, password, email, created_at, generation) VALUES (?, ?, ?, ?, ?, ?)')
      .run(target, a.username, a.password, a.email_address, Date.now(), generation ?? this.accountGeneration(target) ?? null);
  }

  /** Forgets the account and tokens of a target that starts empty every time (the bundled one). */
  forgetTarget(target: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM accounts WHERE target = ?').run(target);
      this.db.prepare('DELETE FROM kept_tokens WHERE target = ?').run(target);
      this.db.prepare('DELETE FROM account_values WHERE target = ?').run(target);
    })();
  }

  // ---- the monitoring account's credits and tier, as last accepted ----

  accountValues(target: string, username: string): AccountValues | undefined {
    return this.db
      .prepare('SELECT credits, tier, seen_at AS seenAtMs FROM account_values WHERE target = ? AND username = ?')
      .get(target, username) as AccountValues | undefined;
  }

  saveAccountValues(target: string, username: string, v: AccountValues): void {
    this.db
      .prepare('INSERT OR REPLACE INTO account_values (target, username, credits, tier, seen_at) VALUES (?, ?, ?, ?, ?)')
      .run(target, username, v.credits, v.tier, v.seenAtMs);
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
          .prepare(
            'INSERT INTO passes (target, started_at, duration_ms, status, token_expire_s, token_lifetime_s, maintenance) ' +
              'VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            pass.target,
            pass.startedAt,
            pass.durationMs,
            pass.status,
            pass.tokenExpireS ?? null,
            pass.tokenLifetimeS ?? null,
            pass.maintenance ? 1 : 0,
          ).lastInsertRowid,
      );
      const addCheck = this.db.prepare(
        'INSERT INTO check_results (pass_id, ord, name, status, duration_ms, attempts, message, retried, drift) VALUES (?, ?, ' +
          '?, ?, ?, ?, ?, ?, ?)',
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
      const owner = tokens.target ?? pass.target;
      const drop = this.db.prepare('DELETE FROM kept_tokens WHERE id = ? AND target = ?');
      for (const t of tokens.drop) drop.run(t, owner);
      if (tokens.keep)
        this.db
          .prepare('INSERT INTO kept_tokens (target, token, issued_at, expire_s) VALUES (?, ?, ?, ?)')
          .run(owner, tokens.keep.token, tokens.keep.issuedAtMs, tokens.keep.expireS);
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
        `SELECT id, started_at AS startedAt, duration_ms AS durationMs, status, token_expire_s AS tokenExpireS,
                token_lifetime_s AS tokenLifetimeS, maintenance FROM passes WHERE target = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(target, limit) as Array<
      Omit<StoredPass, 'checks' | 'steps' | 'maintenance'> & {
        tokenExpireS: number | null;
        tokenLifetimeS: number | null;
        maintenance: number;
      }
    >;
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
    for (const r of rows.reverse())
      byId.set(r.id, {
        ...r,
        tokenExpireS: r.tokenExpireS ?? undefined,
        tokenLifetimeS: r.tokenLifetimeS ?? undefined,
        maintenance: r.maintenance === 1,
        checks: [],
        steps: [],
      });
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

  /**
   * The latest `limit` passes of a target, oldest first, lean: one row per pass with its checks'
   * statuses and its steps' times folded in by SQLite (the page charts 10 000 passes; reading their
   * 100 000 result and step rows one by one took 5 times as long).
   */
  historyRows(target: string, limit: number): HistoryRow[] {
    const rows = this.db
      .prepare(
        `SELECT p.id, p.started_at, p.duration_ms, p.status, p.maintenance, p.token_lifetime_s,
           (SELECT group_concat(c.name || '=' || c.status, ',') FROM check_results c WHERE c.pass_id = p.id),
           (SELECT group_concat(s.step || '=' || s.ms, ',') FROM steps s WHERE s.pass_id = p.id)
         FROM passes p WHERE p.target = ? ORDER BY p.id DESC LIMIT ?`,
      )
      .raw()
      .all(target, limit) as Array<[number, number, number, 'pass' | 'fail', number, number | null, string | null, string | null]>;
    const pairs = (text: string | null) => (text ? text.split(',').map((kv) => kv.split('=') as [string, string]) : []);
    return rows.reverse().map(([id, startedAt, durationMs, status, maintenance, life, checks, steps]) => ({
      id,
      startedAt,
      durationMs,
      status,
      maintenance: maintenance === 1,
      ...(life === null ? {} : { tokenLifetimeS: life }),
      checks: Object.fromEntries(pairs(checks)) as Partial<Record<CheckName, CheckStatus>>,
      steps: Object.fromEntries(pairs(steps).map(([k, v]) => [k, Number(v)])),
    }));
  }

  /** The newest failed or degraded check results of a target from pass `fromId` on (their messages). */
  notableResults(target: string, fromId: number, limit: number): NotableResult[] {
    return this.db
      .prepare(
        `SELECT c.pass_id AS passId, c.name AS "check", c.status, c.message FROM check_results c JOIN passes p ON p.id = c.pass_id
         WHERE p.target = ? AND c.pass_id >= ? AND c.status IN ('fail', 'degraded', 'known', 'throttled') ORDER BY c.pass_id DESC LIMIT ?`,
      )
      .all(target, fromId, limit) as NotableResult[];
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
         WHERE p.target = ? AND c.name = ? AND c.status NOT IN ('skipped', 'throttled') ORDER BY c.pass_id DESC LIMIT ?`,
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

  /** Share of passes that passed since `sinceMs` (passes in a maintenance window left out). */
  uptime(target: string, sinceMs: number): Uptime {
    return this.db
      .prepare(
        `SELECT COALESCE(SUM(status = 'pass'), 0) AS passed, COUNT(*) AS total FROM passes
         WHERE target = ? AND started_at >= ? AND maintenance = 0 AND status != 'throttled'`,
      )
      .get(target, sinceMs) as Uptime;
  }

  /** Each check's share of passed results since each of `sinces` (ms), maintenance left out. Passed:
   *  pass, degraded, or a known issue's expected failure (as the overall uptime counts them); counted:
   *  those and fail. A result the check could not give (skipped, or another outcome such as a rate
   *  limit) is neither: it says nothing about the check. One scan of the oldest window. */
  checkUptime(target: string, sinces: readonly number[]): Map<CheckName, Uptime[]> {
    // One row per check, status and window (the newest window a pass falls in), summed up here: the
    // per-row work is one CASE, not a SUM per window and kind (60 000 rows at 10 000 passes).
    const order = [...sinces.keys()].sort((a, b) => sinces[b]! - sinces[a]!);
    const bucket = `CASE ${order.map((i) => `WHEN p.started_at >= ${Math.floor(sinces[i]!)} THEN ${i}`).join(' ')} END`;
    const rows = this.db
      .prepare(
        `SELECT c.name AS name, c.status AS status, ${bucket} AS w, COUNT(*) AS n FROM check_results c JOIN passes p ON p.id = c.pass_id
         WHERE p.target = ? AND p.started_at >= ? AND p.maintenance = 0 AND c.status IN ('pass', 'degraded', 'known', 'fail')
         GROUP BY c.name, c.status, w`,
      )
      .all(target, Math.floor(Math.min(...sinces))) as Array<{ name: CheckName; status: string; w: number; n: number }>;
    const out = new Map<CheckName, Uptime[]>();
    for (const r of rows) {
      const u = out.get(r.name) ?? sinces.map(() => ({ passed: 0, total: 0 }));
      out.set(r.name, u);
      // A pass in a newer window is in every older (wider) one too.
      for (const [i, since] of sinces.entries())
        if (since <= sinces[r.w]!) {
          u[i]!.total += r.n;
          if (r.status !== 'fail') u[i]!.passed += r.n;
        }
    }
    return out;
  }

  /** Every history (timeline) in the file: its key, passes and latest pass (ms), most recent first. */
  timelines(): Array<{ key: string; passes: number; latestMs: number }> {
    return this.db
      .prepare('SELECT target AS key, COUNT(*) AS passes, MAX(started_at) AS latestMs FROM passes GROUP BY target ORDER BY latestMs DESC')
      .all() as Array<{ key: string; passes: number; latestMs: number }>;
  }

  /** Moves a timeline's history and alert state to a new key (TARGET_ENV set on a target with history). */
  renameTimeline(from: string, to: string): number {
    return this.db.transaction(() => {
      const n = this.db.prepare('UPDATE passes SET target = ? WHERE target = ?').run(to, from).changes;
      this.db.prepare('UPDATE OR IGNORE alert_state SET target = ? WHERE target = ?').run(to, from);
      this.db.prepare('UPDATE alert_outbox SET target = ? WHERE target = ?').run(to, from);
      return n;
    })();
  }

  // ---- alerts ----

  alertState(target: string, check: CheckName): AlertState | undefined {
    const r = this.db
      .prepare('SELECT state, since AS sinceMs, message, reminded_at AS remindedAtMs FROM alert_state WHERE target = ? AND check_name = ?')
      .get(target, check) as { state: 'firing' | 'ok'; sinceMs: number; message: string; remindedAtMs: number | null } | undefined;
    return r && { state: r.state, sinceMs: r.sinceMs, message: r.message, ...(r.remindedAtMs ? { remindedAtMs: r.remindedAtMs } : {}) };
  }

  setAlertState(target: string, check: CheckName, s: AlertState): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO alert_state (target, check_name, state, notified, since, message, reminded_at) VALUES ' +
          '(?, ?, ?, 1, ?, ?, ?)',
      )
      .run(target, check, s.state, s.sinceMs, s.message, s.remindedAtMs ?? null);
  }

  /** Queues a notification for a channel. */
  enqueueAlert(target: string, a: Omit<OwedAlert, 'id' | 'attempts'>): number {
    return Number(
      this.db
        .prepare('INSERT INTO alert_outbox (target, check_name, channel, kind, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(target, a.check, a.channel, a.kind, JSON.stringify(a.payload), a.createdMs).lastInsertRowid,
    );
  }

  /** Notifications still owed, oldest first (all timelines when `target` is undefined). */
  owedAlerts(target?: string): Array<OwedAlert & { target: string }> {
    const rows = (
      target === undefined
        ? this.db.prepare('SELECT * FROM alert_outbox ORDER BY id').all()
        : this.db.prepare('SELECT * FROM alert_outbox WHERE target = ? ORDER BY id').all(target)
    ) as Array<{
      id: number;
      target: string;
      check_name: CheckName;
      channel: AlertChannel;
      kind: AlertKind;
      payload: string;
      created_at: number;
      attempts: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      target: r.target,
      check: r.check_name,
      channel: r.channel,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      createdMs: r.created_at,
      attempts: r.attempts,
    }));
  }

  /** Notifications still owed (of one timeline, or all). */
  owedCount(target?: string): number {
    const row =
      target === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM alert_outbox').get()
        : this.db.prepare('SELECT COUNT(*) AS n FROM alert_outbox WHERE target = ?').get(target);
    return (row as { n: number }).n;
  }

  deleteOwed(id: number): void {
    this.db.prepare('DELETE FROM alert_outbox WHERE id = ?').run(id);
  }

  countAttempt(id: number): void {
    this.db.prepare('UPDATE alert_outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
  }
}
