// Opening MONITOR_DB: a state file that is not intact is a bad setting (exit 2, one sentence), found
// before anything is written to it, so a damaged file is left byte for byte as it was: not SQLite,
// garbage, cut short (its header says more pages than it has), damaged inside (SQLite's quick_check),
// locked by another process. No file is written through a symbolic link: the file and its -wal,
// -shm and -journal companions must not be links (SQLite would open them, and chmod would follow).
import Database from 'better-sqlite3';
import { closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isSymlink } from '../core/safe-write.ts';

/** The state file cannot be used; `message` is the sentence after "MONITOR_DB: ". */
export class StateFileError extends Error {
  override name = 'StateFileError';
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** What is wrong with the file's first 100 bytes (https://www.sqlite.org/fileformat.html), if anything. */
function headerProblem(path: string, size: number): string | undefined {
  const head = Buffer.alloc(100);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.subarray(0, 16).equals(HEADER)) return "is not a SQLite database (it does not start with SQLite's header)";
  if (size < 100) return `is cut short (${size} bytes, less than SQLite's header)`;
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return 'is damaged (its header names no valid page size)';
  if (size % pageSize !== 0) return `is cut short (${size} bytes, not a whole number of ${pageSize}-byte pages)`;
  // The page count in the header holds when it was written with the change counter it carries.
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) && size < pages * pageSize)
    return `is cut short (${size} bytes, its header says ${pages * pageSize})`;
  return undefined;
}

const MOVE = 'move it away, or point MONITOR_DB at another file';

/** The state file as SQLite found it, in one sentence after "MONITOR_DB: ". */
export function stateFileError(path: string, err: unknown): StateFileError {
  if (err instanceof StateFileError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const what =
    code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
      ? 'is locked by another process (is another monitor using it?)'
      : code === 'SQLITE_NOTADB'
        ? `is not a SQLite database; ${MOVE}`
        : code === 'SQLITE_CORRUPT'
          ? `is damaged (SQLite: database disk image is malformed); ${MOVE}`
          : `cannot be used (${code || 'error'}: ${String((err as Error)?.message).split('\n')[0]})`;
  return new StateFileError(`the state file '${path}' ${what}`);
}

/** What the settings check can tell of the state file without opening it (nothing is created or
 *  changed): a link at it or its companions, a header that is not SQLite's or says the file is cut
 *  short. One sentence after "MONITOR_DB: ", or undefined. */
export function stateFileProblem(path: string): string | undefined {
  if (path === ':memory:') return undefined;
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`])
    if (isSymlink(p))
      return (
        `${p === path ? 'the state file' : `the state file's ${basename(p)}`} '${p}' is a symbolic link: the monitor writes no ` +
        "file through a link (give the real file's path)"
      );
  const size = existsSync(path) && statSync(path).isFile() ? statSync(path).size : 0;
  const header = size > 0 ? headerProblem(path, size) : undefined;
  return header && `the state file '${path}' ${header}; ${MOVE}`;
}

/** Opens (or creates, readable by its owner only) the state file at `path`, or throws StateFileError. */
export function openStateDatabase(path: string): Database.Database {
  if (path === ':memory:') return new Database(path);
  const problem = stateFileProblem(path);
  if (problem) throw new StateFileError(problem);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const size = existsSync(path) ? statSync(path).size : 0;
  let db: Database.Database | undefined;
  try {
    // The mode is set through a descriptor that does not follow links; a new file is made private.
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    try {
      if (size > 0) {
        // Checked before anything is written: a damaged file must stay as it was.
        db = new Database(path, { fileMustExist: true });
        db.pragma('busy_timeout = 5000');
        const check = db.pragma('quick_check(1)', { simple: true });
        if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
      }
      fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
    db ??= new Database(path);
    return db;
  } catch (err) {
    db?.close();
    throw stateFileError(path, err);
  }
}
