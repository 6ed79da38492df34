// Settings of npm run test:real-server (proof/real-server.ts), kept apart from the program so the
// bad-values self-test can validate them without running it.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSettings, setting, settingsEnv, sharedSettings } from '../../core/settings.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the kit is when REAL_SERVER_KIT is unset: beside the repository (CI's layout). */
export const DEFAULT_KIT = join(ROOT, '..', 'shared', 'real-server');

export const realServerSettings = {
  /** The real-server kit (its start.sh, stop.sh, config.json.in): default ../shared/real-server beside
   *  the repository, where its absence skips the step. Named on purpose, it must be a folder: a path
   *  that is not there is a typo, not a reason to skip. */
  REAL_SERVER_KIT: setting
    .checked((v) => {
      if (!existsSync(resolve(v))) return "expected the real-server kit's folder, and there is nothing there";
      if (!statSync(resolve(v)).isDirectory()) return "expected the real-server kit's folder, but it names a file";
      return undefined;
    })
    .optional(),
  REPORTS_DIR: sharedSettings.REPORTS_DIR,
  KNOWN_ISSUES_FILE: sharedSettings.KNOWN_ISSUES_FILE,
};

/** What npm run test:real-server checks before anything else (SettingsError: exit 2). */
export const validateRealServer = (env: Record<string, string | undefined> = settingsEnv()) => parseSettings(realServerSettings, env);
