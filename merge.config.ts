// After a sharded run (`npx playwright test --shard=1/4` on four machines, each with CI=true, which
// writes the blob report to $REPORTS_DIR/blob), gather every shard's blob files in one folder and:
//   npx playwright merge-reports --config merge.config.ts <that folder>
// It writes what one unsharded CI run writes: the HTML report, JUnit and the JSON report, to REPORTS_DIR.
import { defineConfig } from '@playwright/test';
import { loadSettings, sharedSettings } from './core/settings.ts';

const { REPORTS_DIR: reports } = loadSettings({ REPORTS_DIR: sharedSettings.REPORTS_DIR });

export default defineConfig({
  // The blobs record paths relative to the tests folder; this maps them back to this checkout.
  testDir: 'tests',
  reporter: [
    ['html', { outputFolder: `${reports}/html`, open: 'never' }],
    ['junit', { outputFile: `${reports}/junit.xml` }],
    ['json', { outputFile: `${reports}/results.json` }],
  ],
});
