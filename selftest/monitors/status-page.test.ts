// The status page in a real headless browser (Debian's chromium through Playwright): the latest
// result per check, uptime, the history on a time axis, latency per step with its thresholds when in
// range, the token lifetime, the recent passes with their times; at 1, 100 and 10 000 passes, with
// screenshots in $TMPDIR/hx-status-page-screenshots/ for a person to look at (and the render times printed, not asserted:
// `npm run bench -- status-page` measures them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { MonitorState } from '../../monitors/state.ts';
import { startTarget } from '../support/target.ts';
import { EPISODES, writeHistory } from '../support/history.ts';
import { assertNoSecrets, CHROMIUM, CHROMIUM_ARGS, makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

const skip = !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (npm install runs scripts/setup.sh to get it)`;

interface Shown {
  errors: string[];
  renderedMs: number;
}

/** Opens a page file and waits for its charts; page errors are collected, not ignored. */
async function open(browser: Browser, file: string): Promise<{ tab: Page } & Shown> {
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await tab.goto(pathToFileURL(file).href);
  // A script error would leave the page without charts: say so instead of waiting for them.
  await Promise.race([
    tab.waitForFunction(() => document.body.dataset.renderedMs !== undefined, undefined, { timeout: 30_000 }),
    new Promise((_, reject) => tab.once('pageerror', (e) => reject(new Error(`the page's script failed: ${e.message}`)))),
  ]);
  const renderedMs = Number(await tab.evaluate(() => document.body.dataset.renderedMs));
  return { tab, errors, renderedMs };
}

/** Outside the repository (a test run writes nothing there), at a path that stays put between runs. */
const SHOTS = join(tmpdir(), 'hx-status-page-screenshots');

async function screenshot(tab: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const shot = join(SHOTS, `${name}.png`);
  await tab.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  return shot;
}

test('the status page of real passes: checks, uptime, history, latency, token lifetime and recent passes in chromium', {
  skip,
}, async () => {
  const target = await startTarget();
  const dir = tempDir();
  const page = `${dir}/status.html`;
  const settings = testSettings(dir, { MONITOR_STATUS_PAGE: page });
  const m = makeMonitor(target.url, settings);
  const secrets: string[] = [];
  const chartData = (html: string) => /<script type="application\/json" id="history-data">(.*?)<\/script>/s.exec(html)?.[1];
  try {
    // Some history: passes, a fault, recovery.
    for (const fault of ['', '', 'credits-string', 'token-1h', '', '']) {
      target.setFaults(fault);
      secrets.push(...(await m.monitor.pass()).secrets);
    }
    // The service keeps the charted history pass by pass: it must equal a fresh read of the file.
    const fresh = makeMonitor(target.url, settings);
    assert.equal(chartData(m.monitor.statusPage()), chartData(fresh.monitor.statusPage()));
    await fresh.monitor.stop();
  } finally {
    await m.monitor.stop();
    await target.close();
  }
  const html = readFileSync(page, 'utf8');
  assertNoSecrets({ 'status page': html }, secrets);
  assert.doesNotMatch(html, /<(link|img|script)[^>]+(src|href)=/i, 'no external assets');
  assert.doesNotMatch(html, /http-equiv="refresh"|refreshes every/, 'the written file does not reload itself');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const { tab, errors } = await open(browser, page);
    assert.deepEqual(errors, []);
    assert.match(await tab.title(), /Temporal API monitor — selftest/);
    assert.equal(await tab.locator('#checks tbody tr').count(), 6);
    assert.equal(await tab.locator('tr[data-check="token-works"]').getAttribute('data-status'), 'pass');
    // Uptime: 4 of 6 passes passed, in each window.
    for (const w of ['24 h', '7 d', '30 d']) {
      const tile = tab.locator(`.tile[data-window="${w}"]`);
      assert.equal(await tile.getAttribute('data-passed'), '4');
      assert.equal(await tile.getAttribute('data-total'), '6');
      assert.match((await tile.textContent()) ?? '', /66\.66 %/);
    }
    // The history on a time axis: unix times, one letter per pass and check.
    const data = JSON.parse((await tab.locator('#history-data').textContent()) ?? '{}') as {
      t: number[];
      checks: Record<string, string>;
      lifetimeH: Array<number | null>;
    };
    assert.equal(data.t.length, 6);
    assert.ok(Math.abs(data.t[5]! - Date.now() / 1000) < 120, 'x values are the passes times');
    assert.deepEqual([data.checks['token-works'], data.checks['token-lifetime'], data.checks.refresh], ['ppfppp', 'pppfpp', 'pppfpp']);
    assert.deepEqual(
      data.lifetimeH.map((h) => Math.round(h ?? 0)),
      [24, 24, 24, 1, 24, 24],
      'token lifetime per pass: the token-1h pass shows 1 h',
    );
    for (const id of ['timeline', 'latency', 'lifetime']) assert.equal(await tab.locator(`#${id} canvas`).count(), 1, `${id} chart drawn`);
    // Loopback answers take a few ms: the 1000/2500 ms lines are far out of range and not drawn.
    assert.equal(await tab.locator('#latency').getAttribute('data-thresholds'), '');
    assert.equal(await tab.locator('#passes tbody tr').count(), 6);
    // Two incidents, newest first, with their times and what failed.
    assert.equal(await tab.locator('#incidents tbody tr').count(), 1, 'the two failed passes were back to back: one incident');
    assert.match(
      (await tab.locator('#incidents tbody tr').first().textContent()) ?? '',
      /Z.*Z.*2token-works, token-lifetime, refreshtoken-works: .*credits/,
    );
    assert.match(
      (await tab.locator('#passes tbody tr').nth(2).textContent()) ?? '',
      /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ.*fail.*token-lifetime fail: token expires in 1h/,
    );
    assert.match((await tab.locator('#token').textContent()) ?? '', /Current token expires in 2[34]h/);
    // Hovering a pass tells its time and results.
    await tab.locator('#timeline .u-over').scrollIntoViewIfNeeded();
    const box = (await tab.locator('#timeline .u-over').boundingBox())!;
    await tab.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    assert.match((await tab.locator('#timeline-hover').textContent()) ?? '', /^\d{4}-\d\d-\d\dT.*Z.*\nlogin: pass/s);
    await screenshot(tab, 'monitor-status');
  } finally {
    await browser.close();
  }
});

test('the status page at 1, 100 and 10 000 passes: every chart drawn, thresholds when in range, no page error', { skip }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const url = 'http://127.0.0.1:9';
  try {
    for (const n of [1, 100, 10_000]) {
      const dir = tempDir();
      // The production thresholds (the test settings' roomy ones are for live passes on a loaded
      // machine; this history is written, not measured).
      const settings = testSettings(dir, { MONITOR_LATENCY_DEGRADED_MS: '1000', MONITOR_LATENCY_FAIL_MS: '2500' });
      const state = new MonitorState(settings.MONITOR_DB);
      writeHistory(state, url, n);
      state.close();
      const m = makeMonitor(url, settings);
      const t0 = performance.now();
      const html = m.monitor.statusPage({ refreshS: 30 });
      const serverMs = performance.now() - t0;
      await m.monitor.stop();
      const file = join(dir, `status-${n}.html`);
      writeFileSync(file, html);
      const { tab, errors, renderedMs } = await open(browser, file);
      assert.deepEqual(errors, [], `${n} passes`);
      console.log(
        `${n} passes: page ${(html.length / 1024).toFixed(0)} KiB, server render ${serverMs.toFixed(0)} ms, chromium to first ` +
          `frame ${renderedMs} ms`,
      );
      const data = JSON.parse((await tab.locator('#history-data').textContent()) ?? '{}') as { t: number[] };
      assert.equal(data.t.length, n);
      for (const id of ['timeline', 'latency', 'lifetime']) assert.equal(await tab.locator(`#${id} canvas`).count(), 1);
      assert.match((await tab.locator('#refresh').textContent()) ?? '', /refreshes every 30 s/);
      if (n >= 100) {
        // The latency spike reaches ~1200 ms: the degraded line (1000 ms) is in range, fail (2500) is not.
        assert.equal(await tab.locator('#latency').getAttribute('data-thresholds'), 'degraded');
        // The maintenance stretch is marked in the list and left out of uptime.
        const all = tab.locator('.tile[data-window="30 d"]');
        const inMaintenance = Math.round((EPISODES.maintenance.to - EPISODES.maintenance.from) * (n - 1));
        assert.ok(Number(await all.getAttribute('data-total')) <= n - inMaintenance + 1);
      }
      await screenshot(tab, `monitor-status-${n}`);
      await tab.close();
    }
  } finally {
    await browser.close();
  }
});
