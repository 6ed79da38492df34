// The declared costs npm start plans with (release/costs.ts, load/lib/settings.ts profileCost) are what
// the parts send, as the bundled target counts them (`npm run costs`). The cheap parts here; the
// Playwright projects' figures are measured by the full command (about 3 minutes for both generations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.ts';

test('npm run costs: the probe, the k6 smokes, a monitor pass and the explorer cost what is declared', async () => {
  const r = await runCli('npm', ['run', '-s', 'costs', '--', '--generations', 'documented', '--parts', 'probe,load,monitor,explore'], {
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
  });
  assert.equal(r.code, 0, r.output);
  for (const part of ['generation probe', 'k6 login smoke', 'k6 credits smoke', 'monitor pass \\(first\\)', 'monitor pass \\(later\\)'])
    assert.match(r.stdout, new RegExp(`^documented\\s+${part}\\s+\\d+\\s+\\d+\\s+honest$`, 'm'));
  assert.match(r.stdout, /^documented\s+explore \(EXPLORE_REQUESTS\)\s+60\s+(60|[1-5]\d|\d)\s+honest$/m);
});
