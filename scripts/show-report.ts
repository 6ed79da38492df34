// npm run show-report: Playwright's HTML report viewer on the last run's report, wherever REPORTS_DIR
// put it (`npx playwright show-report` alone looks in Playwright's default folder, playwright-report,
// and the harness writes every report under REPORTS_DIR: the HTML one in REPORTS_DIR/html).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, parseSettings, runMain, SettingsError, setting, sharedSettings } from '../core/settings.ts';

const settingsShape = { REPORTS_DIR: sharedSettings.REPORTS_DIR };
const { values } = readCommandLine({
  command: 'npm run show-report',
  summary: "serves Playwright's HTML report of the last test run (REPORTS_DIR/html) and prints its address",
  usage: ['[-- --host <address>] [--port <n>]'],
  options: {
    host: { type: 'string', value: 'address', description: 'where to serve it (default localhost)' },
    port: { type: 'string', value: 'n', description: 'the port (default 9323, or any free one)' },
  },
  settings: settingsShape,
  exits: '0 stopped (Ctrl-C), 2 no report there yet',
  examples: ['npx playwright test --project=smoke && npm run show-report', 'npm run show-report -- --host 0.0.0.0 --port 9400'],
});

await runMain(async () => {
  const s = loadSettings(settingsShape);
  const flags = parseSettings({ '--port': setting.int(1, 65535).optional() }, { '--port': values.port });
  const folder = join(s.REPORTS_DIR, 'html');
  if (!existsSync(join(folder, 'index.html')))
    throw new SettingsError([`REPORTS_DIR: no HTML report in ${folder} yet: run the tests first (npx playwright test)`]);
  const r = await execa(
    'npx',
    [
      'playwright',
      'show-report',
      folder,
      ...(values.host ? ['--host', values.host] : []),
      ...(flags['--port'] ? ['--port', String(flags['--port'])] : []),
    ],
    { stdio: 'inherit', reject: false },
  );
  return r.exitCode ?? 0;
});
