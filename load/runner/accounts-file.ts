// Pre-provisioned accounts handed to k6 as a JSON file (read there with SharedArray). A single
// account given by LOAD_USERNAME/LOAD_PASSWORD (e.g. CI secrets) is written to a private temp
// file that is removed after the run, so the password never appears in k6's arguments.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SettingsError } from '../../core/settings.ts';

const AccountList = z.array(z.object({ username: z.string().min(1), password: z.string().min(1) })).min(1);

export interface AccountsFile {
  path?: string;
  cleanup(): void;
}

export function prepareAccounts(s: { LOAD_ACCOUNTS_FILE?: string; LOAD_USERNAME?: string; LOAD_PASSWORD?: string }): AccountsFile {
  if (s.LOAD_ACCOUNTS_FILE) {
    const path = resolve(s.LOAD_ACCOUNTS_FILE);
    let parsed: unknown;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse quotes the text it chokes on, and this file holds passwords.
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: ${path} is not valid JSON`]);
    }
    if (!AccountList.safeParse(parsed).success)
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: expected a non-empty JSON array of {"username", "password"} in ${path}`]);
    return { path, cleanup: () => {} };
  }
  if (!s.LOAD_USERNAME !== !s.LOAD_PASSWORD)
    throw new SettingsError([
      `${s.LOAD_USERNAME ? 'LOAD_PASSWORD' : 'LOAD_USERNAME'}: set both LOAD_USERNAME and LOAD_PASSWORD, or neither`,
    ]);
  if (!s.LOAD_USERNAME || !s.LOAD_PASSWORD) return { cleanup: () => {} };
  return privateAccountsFile([{ username: s.LOAD_USERNAME, password: s.LOAD_PASSWORD }]);
}

/** Accounts in a file only this user can read, in a temp dir that cleanup() removes. */
export function privateAccountsFile(accounts: readonly { username: string; password: string }[]): AccountsFile & { path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hx-load-'));
  const path = join(dir, 'accounts.json');
  writeFileSync(path, JSON.stringify(accounts), { mode: 0o600 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
