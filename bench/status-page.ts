// npm run bench -- status-page — what the status page costs at 1, 100 and 10 000 passes, side by side:
// the page's size; the server's render time cold (history read from the state file: a service's
// first view, or a one-shot run) and per pass (the service keeps the charted history and only adds the
// new pass); and Debian's chromium from navigation to the first frame with every chart drawn.
// Medians of BENCH_RUNS runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, setting } from '../core/settings.ts';
import { median } from './support.ts';

const settingsShape = { BENCH_RUNS: setting.int(1, 50).default(7) };
readCommandLine({
  command: 'npm run bench -- status-page',
  summary: "what the status page costs at 1, 100 and 10 000 passes: its size, the server's render time, chromium's first frame",
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- status-page', 'BENCH_RUNS=3 npm run bench -- status-page'],
  notes: ['A benchmark: medians printed, nothing asserted.'],
});
const { BENCH_RUNS: RUNS } = loadSettings(settingsShape);
// Loaded after the command line: Playwright and the monitor are seconds of compiling that --help need not wait for.
const { chromium } = await import('@playwright/test');
const { MonitorState } = await import('../monitors/state.ts');
const { writeHistory } = await import('../selftest/support/history.ts');
const { CHROMIUM, CHROMIUM_ARGS, makeMonitor, tempDir, testSettings } = await import('../selftest/support/monitor.ts');
const url = 'http://127.0.0.1:9';
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
console.log(`status page, median of ${RUNS} runs (node ${process.version}, chromium ${browser.version()}):`);
console.log('  passes   page KiB   server cold ms   server per pass ms   chromium first frame ms');
try {
  for (const n of [1, 100, 10_000]) {
    const dir = tempDir();
    // The production latency thresholds, so the chart draws what a user's page draws.
    const settings = testSettings(dir, { MONITOR_LATENCY_DEGRADED_MS: '1000', MONITOR_LATENCY_FAIL_MS: '2500' });
    const state = new MonitorState(settings.MONITOR_DB);
    writeHistory(state, url, n);
    state.close();
    const cold: number[] = [];
    const warm: number[] = [];
    const frame: number[] = [];
    let html = '';
    for (let i = 0; i < RUNS; i++) {
      const m = makeMonitor(url, settings);
      let t0 = performance.now();
      html = m.monitor.statusPage();
      cold.push(performance.now() - t0);
      // A new pass invalidates the page; the charted history is kept, not read again.
      (m.monitor as unknown as { pageData?: unknown }).pageData = undefined;
      t0 = performance.now();
      m.monitor.statusPage();
      warm.push(performance.now() - t0);
      await m.monitor.stop();
      const file = join(dir, `status-${i}.html`);
      writeFileSync(file, html);
      const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await tab.goto(`file://${file}`);
      await tab.waitForFunction(() => document.body.dataset.renderedMs !== undefined);
      frame.push(Number(await tab.evaluate(() => document.body.dataset.renderedMs)));
      await tab.close();
    }
    const f = (x: number) => x.toFixed(1).padStart(8);
    console.log(
      `  ${String(n).padStart(6)}   ${(html.length / 1024).toFixed(0).padStart(8)}   ${f(median(cold))}         ` +
        `${f(median(warm))}             ${f(median(frame))}`,
    );
  }
} finally {
  await browser.close();
}
