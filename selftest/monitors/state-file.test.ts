// MONITOR_DB that is not intact is a bad setting: a damaged file (cut short, garbage, not
// SQLite, damaged inside, locked by another process) crashed the monitor with SqliteError's stack and
// exit 1; a symbolic link had its target chmod-ed 600 before SQLite refused it. Now each is exit 2,
// one sentence naming MONITOR_DB and no stack trace, before any traffic, and the file (or the link's
// target) is left byte for byte and mode for mode as it was, with no -wal or -shm made beside it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MonitorState } from '../../monitors/state.ts';
import { StateFileError } from '../../monitors/state-file.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

/** A state file with some history, as the monitor leaves it (closed: no -wal, no -shm). */
function goodStateFile(path: string): Buffer {
  const s = new MonitorState(path);
  for (let i = 0; i < 300; i++)
    s.recordPass(
      {
        target: 't',
        targetLabel: 't',
        startedAt: 1000 + i,
        durationMs: 5,
        status: 'pass',
        checks: [{ name: 'login', status: 'pass', durationMs: 5, attempts: 1, message: `fine ${'x'.repeat(200)}` }],
        steps: [],
      },
      { drop: [] },
    );
  s.close();
  return readFileSync(path);
}

const DAMAGE: Record<string, (good: Buffer) => Buffer> = {
  'cut short': (good) => good.subarray(0, Math.floor(good.length / 2 / 4096) * 4096 + 1000),
  'cut at a page': (good) => good.subarray(0, 4096 * 3),
  garbage: () => Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 251)),
  'not SQLite': () => Buffer.from('{"this": "is a JSON file, not a database"}\n'),
  // The header intact, a page of the history overwritten.
  'damaged inside': (good) => {
    const bad = Buffer.from(good);
    bad.fill(0x5a, 4096 * 2, 4096 * 3);
    return bad;
  },
};

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function monitorOnce(db: string, reports: string) {
  return runCli(
    process.execPath,
    ['--import', 'tsx', 'monitors/main.ts', '--once'],
    {
      TARGET_URL: 'http://127.0.0.1:9',
      TARGET_FAULTS: '',
      TARGET_GENERATION: '',
      MAIL_INBOX_URL: '',
      MONITOR_USERNAME: '',
      MONITOR_PASSWORD: '',
      MONITOR_PUSHGATEWAY_URL: '',
      MONITOR_ALERT_WEBHOOK_URL: '',
      MONITOR_DB: db,
      REPORTS_DIR: reports,
    },
    60_000,
  );
}

function assertOneSentence(output: string, what: RegExp): void {
  assert.match(output, /^Bad settings .*\n {2}- MONITOR_DB: /, output);
  assert.match(output, what);
  assert.doesNotMatch(output, /\n\s+at .+:\d+:\d+\)?|SqliteError/, `a stack trace:\n${output}`);
}

test('a damaged state file is a bad setting: exit 2, one sentence, the file left exactly as it was', { concurrency: 3 }, async (t) => {
  const dir = tempDir('hx-state-file-');
  const good = goodStateFile(join(dir, 'good.db'));
  const words: Record<string, RegExp> = {
    'cut short': /is cut short \(\d+ bytes, not a whole number of 4096-byte pages\)/,
    'cut at a page': /is cut short \(12288 bytes, its header says \d+\)/,
    garbage: /is not a SQLite database \(it does not start with SQLite's header\)/,
    'not SQLite': /is not a SQLite database/,
    'damaged inside': /is damaged \(SQLite: database disk image is malformed\)/,
  };
  await Promise.all(
    Object.entries(DAMAGE).map(([name, damage]) =>
      t.test(name, async () => {
        const path = join(dir, `${name.replace(/ /g, '-')}.db`);
        const bytes = damage(good);
        writeFileSync(path, bytes);
        chmodSync(path, 0o644);
        const r = await monitorOnce(path, join(dir, 'reports'));
        assert.equal(r.code, 2, r.output);
        assertOneSentence(r.output, words[name]!);
        assert.match(r.output, /move it away, or point MONITOR_DB at another file/);
        assert.equal(sha(readFileSync(path)), sha(bytes), 'the file was changed');
        assert.equal(statSync(path).mode & 0o777, 0o644, 'the file was chmod-ed');
        assert.ok(!existsSync(`${path}-wal`) && !existsSync(`${path}-shm`), 'a -wal or -shm was made');
      }),
    ),
  );
});

test('a state file locked by another process is a bad setting, said so', () => {
  const path = join(tempDir('hx-state-file-'), 'locked.db');
  goodStateFile(path);
  const holder = new Database(path);
  holder.pragma('locking_mode = EXCLUSIVE');
  holder.exec('BEGIN EXCLUSIVE');
  try {
    assert.throws(
      () => new MonitorState(path),
      (e: unknown) => e instanceof StateFileError && /is locked by another process \(is another monitor using it\?\)/.test(e.message),
    );
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
});

test('MONITOR_DB, its -wal or -shm as a symbolic link: exit 2, and the link target is neither written nor chmod-ed', async () => {
  const dir = tempDir('hx-state-file-');
  const victim = join(dir, 'passwd-copy');
  writeFileSync(victim, 'root:x:0:0:root:/root:/bin/bash\n');
  chmodSync(victim, 0o644);
  const link = join(dir, 'link.db');
  symlinkSync(victim, link);
  const r = await monitorOnce(link, join(dir, 'reports'));
  assert.equal(r.code, 2, r.output);
  assertOneSentence(r.output, /MONITOR_DB: expected a file it can write: it is a symbolic link/);
  // A -wal planted as a link beside a real file: refused when the file is opened.
  const real = join(dir, 'real.db');
  goodStateFile(real);
  symlinkSync(victim, `${real}-wal`);
  const wal = await monitorOnce(real, join(dir, 'reports'));
  assert.equal(wal.code, 2, wal.output);
  assertOneSentence(
    wal.output,
    /the state file's real\.db-wal '.*real\.db-wal' is a symbolic link: the monitor writes no file through a link/,
  );
  assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0:root:/root:/bin/bash\n');
  assert.equal(statSync(victim).mode & 0o777, 0o644, 'the link target was chmod-ed');
});
