// Accounts and usage rows in SQLite (better-sqlite3: synchronous, so a check-then-insert is atomic
// in this single-threaded server). Column names follow the GORM models of the real server.
import Database from 'better-sqlite3';

export interface UserRow {
  id: number;
  created_at: string;
  updated_at: string;
  user_name: string;
  email_address: string;
  account_enabled: number;
  email_enabled: number;
  email_verification_token: string;
  admin_access: number;
  hashed_password: string;
  /** The hash before the last change; only the old-password-works fault ever reads it. */
  previous_hashed_password: string | null;
  free: number;
  credits: number;
  customer_object_hash: string;
}

export interface UsageRow {
  id: number;
  created_at: string;
  updated_at: string;
  user_name: string;
  monthly_data_limit_bytes: number;
  current_data_used_bytes: number;
  ipns_records_published: number;
  ipns_records_allowed: number;
  pubsub_messages_sent: number;
  pubsub_messages_allowed: number;
  keys_created: number;
  keys_allowed: number;
  tier: string;
}

/** Tier limits from the real server's usage model. */
export const TIER_LIMITS = {
  // The latest generation's tier before the e-mail address is verified: nothing allowed.
  unverified: { monthly_data_limit_bytes: 0, keys_allowed: 0, pubsub_messages_allowed: 0, ipns_records_allowed: 0 },
  free: { monthly_data_limit_bytes: 3 * 1024 ** 3, keys_allowed: 5, pubsub_messages_allowed: 100, ipns_records_allowed: 5 },
  paid: { monthly_data_limit_bytes: 1000 * 1024 ** 4, keys_allowed: 150, pubsub_messages_allowed: 15000, ipns_records_allowed: 150 },
} as const;

const SCHEMA = `
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  user_name TEXT NOT NULL, email_address TEXT NOT NULL,
  account_enabled INTEGER NOT NULL, email_enabled INTEGER NOT NULL,
  email_verification_token TEXT NOT NULL, admin_access INTEGER NOT NULL,
  hashed_password TEXT NOT NULL, previous_hashed_password TEXT,
  free INTEGER NOT NULL, credits REAL NOT NULL, customer_object_hash TEXT NOT NULL);
-- not UNIQUE: the handlers check, as the real server does (and a fault can skip the check)
CREATE INDEX IF NOT EXISTS users_name ON users(user_name);
CREATE INDEX IF NOT EXISTS users_email ON users(email_address);
CREATE TABLE IF NOT EXISTS usage (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  user_name TEXT NOT NULL,
  monthly_data_limit_bytes INTEGER NOT NULL, current_data_used_bytes INTEGER NOT NULL DEFAULT 0,
  ipns_records_published INTEGER NOT NULL DEFAULT 0, ipns_records_allowed INTEGER NOT NULL,
  pubsub_messages_sent INTEGER NOT NULL DEFAULT 0, pubsub_messages_allowed INTEGER NOT NULL,
  keys_created INTEGER NOT NULL DEFAULT 0, keys_allowed INTEGER NOT NULL,
  tier TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS usage_name ON usage(user_name);
`;

export type NewUser = Pick<
  UserRow,
  'user_name' | 'email_address' | 'hashed_password' | 'email_verification_token' | 'customer_object_hash'
>;

export class Store {
  private readonly db: Database.Database;
  private readonly q;

  constructor(path = ':memory:') {
    this.db = new Database(path);
    this.db.exec(SCHEMA);
    const db = this.db;
    this.q = {
      byName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE user_name = ? ORDER BY id LIMIT 1'),
      byEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_address = ? ORDER BY id LIMIT 1'),
      credits: db.prepare<[string], { credits: number; account_enabled: number; email_enabled: number }>(
        'SELECT credits, account_enabled, email_enabled FROM users WHERE user_name = ? ORDER BY id LIMIT 1',
      ),
      insertUser: db.prepare(
        `INSERT INTO users (created_at, updated_at, user_name, email_address, account_enabled, email_enabled, email_verification_token,
           admin_access, hashed_password, free, credits, customer_object_hash)
         VALUES (@now, @now, @user_name, @email_address, 1, 0, @email_verification_token, 0, @hashed_password, 1, 0, ` +
          `@customer_object_hash)`,
      ),
      insertUsage: db.prepare(
        `INSERT INTO usage (created_at, updated_at, user_name, monthly_data_limit_bytes, ipns_records_allowed, ` +
          `pubsub_messages_allowed, keys_allowed, tier)
         VALUES (@now, @now, @user_name, @monthly_data_limit_bytes, @ipns_records_allowed, @pubsub_messages_allowed, @keys_allowed, @tier)`,
      ),
      byId: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
      usage: db.prepare<[string], UsageRow>('SELECT * FROM usage WHERE user_name = ? ORDER BY id LIMIT 1'),
      setPassword: db.prepare(
        'UPDATE users SET previous_hashed_password = hashed_password, hashed_password = ?, updated_at = ? WHERE user_name = ?',
      ),
      setTier: db.prepare(
        `UPDATE usage SET tier = @tier, monthly_data_limit_bytes = @monthly_data_limit_bytes, keys_allowed = @keys_allowed,
           pubsub_messages_allowed = @pubsub_messages_allowed, ipns_records_allowed = @ipns_records_allowed, updated_at = ` +
          `@now WHERE user_name = @user_name`,
      ),
      // GORM's UpdateColumns, as the real server's UpdateTier: updated_at is left alone.
      setTierOnly: db.prepare(
        `UPDATE usage SET tier = @tier, monthly_data_limit_bytes = @monthly_data_limit_bytes, keys_allowed = @keys_allowed,
           pubsub_messages_allowed = @pubsub_messages_allowed, ipns_records_allowed = @ipns_records_allowed WHERE user_name = @user_name`,
      ),
      firstFree: db.prepare<[string], { user_name: string }>(
        "SELECT user_name FROM usage WHERE tier = 'free' AND user_name != ? ORDER BY id LIMIT 1",
      ),
      setEmailEnabled: db.prepare('UPDATE users SET email_enabled = 1, updated_at = ? WHERE user_name = ?'),
      setFree: db.prepare('UPDATE users SET free = ?, updated_at = ? WHERE user_name = ?'),
      setCredits: db.prepare('UPDATE users SET credits = ? WHERE user_name = ?'),
      setEnabled: db.prepare('UPDATE users SET account_enabled = ? WHERE user_name = ?'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
    };
  }

  findByUserName(name: string): UserRow | undefined {
    return this.q.byName.get(name);
  }
  findByEmail(email: string): UserRow | undefined {
    return this.q.byEmail.get(email);
  }
  /** The hot path of a credits load test: one indexed read. */
  creditsOf(name: string): { credits: number; enabled: boolean; emailEnabled: boolean } | undefined {
    const r = this.q.credits.get(name);
    return r && { credits: r.credits, enabled: r.account_enabled === 1, emailEnabled: r.email_enabled === 1 };
  }

  /** A user and its usage row (free, or unverified in the latest generation), in one transaction. */
  createUser(u: NewUser, nowIso: string, tier: 'free' | 'unverified' = 'free'): UserRow {
    const tx = this.db.transaction(() => {
      const { lastInsertRowid } = this.q.insertUser.run({ ...u, now: nowIso });
      this.q.insertUsage.run({ user_name: u.user_name, now: nowIso, tier, ...TIER_LIMITS[tier] });
      return this.q.byId.get(Number(lastInsertRowid))!;
    });
    return tx();
  }

  usageOf(name: string): UsageRow | undefined {
    return this.q.usage.get(name);
  }
  setPassword(name: string, hash: string, nowIso: string): void {
    this.q.setPassword.run(hash, nowIso, name);
  }
  upgradeToPaid(name: string, nowIso: string): void {
    this.db.transaction(() => {
      this.q.setTier.run({ tier: 'paid', user_name: name, now: nowIso, ...TIER_LIMITS.paid });
      this.q.setFree.run(0, nowIso, name);
    })();
  }
  /** The oldest account on the free tier other than `except` (what an update without its user filter hits). */
  firstFreeAccount(except: string): string | undefined {
    return this.q.firstFree.get(except)?.user_name;
  }
  /** The e-mail address is verified: e-mail enabled, and an unverified account moves to the free tier. */
  verifyEmail(name: string, nowIso: string): void {
    this.db.transaction(() => {
      this.q.setEmailEnabled.run(nowIso, name);
      if (this.usageOf(name)?.tier === 'unverified') this.q.setTierOnly.run({ tier: 'free', user_name: name, ...TIER_LIMITS.free });
    })();
  }
  /** Test set-up hooks (the real API has admin tools for these). */
  setCredits(name: string, credits: number): void {
    this.q.setCredits.run(credits, name);
  }
  setEnabled(name: string, enabled: boolean): void {
    this.q.setEnabled.run(enabled ? 1 : 0, name);
  }
  userCount(): number {
    return this.q.count.get()!.n;
  }
  close(): void {
    this.db.close();
  }
}
