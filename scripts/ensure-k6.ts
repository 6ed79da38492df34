// `npm run k6:install`: makes sure the pinned k6 is available (installing it with Go when missing)
// and prints its path on stdout for other scripts. Exit 3 when it cannot be had (with the other ways).
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { ensureK6, K6NotFound } from '../load/runner/k6-bin.ts';

await runMain(async () => {
  const s = loadSettings({ K6_BIN: setting.text().optional() });
  try {
    process.stdout.write(`${await ensureK6(s.K6_BIN)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof K6NotFound)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 3;
  }
});
