// Every file the harness writes is written whole and put in place by a rename, never through a
// symbolic link: a link at the path (planted, or left by a shared reports folder) is replaced, its
// target left alone. `REPORTS_DIR/index.html` as a link to another file once had the release report
// written through it. Readers never see half a file, either.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Is `path` a symbolic link (false when there is nothing there, or it cannot be reached)? */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Writes `data` to `path` (its folder made when missing) as a new file renamed over whatever is
 *  there: a file is replaced, a symbolic link too, never followed. */
export function writeFileReplacing(path: string, data: string | Uint8Array, o: { mode?: number } = {}): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // A name nobody could have placed a link at: O_CREAT|O_EXCL fails on anything there, a link included.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, o.mode ?? 0o666);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
