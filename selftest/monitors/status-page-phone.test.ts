// The status page where on-call engineers open it, a phone: at 360 px wide in Debian's
// chromium it scrolls only down (charts as wide as their box, tables one card per row), and it says
// first what is wrong and since when; each check's own uptime; which history it shows (a
// fault-injected run's is said loudly); and the service's Gatus-style badge, /badge.svg. Screenshots at
// 360 and 1280 px go to test-results/ for a person to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { createLogger } from '../../core/logger.ts';
import { Monitor } from '../../monitors/monitor.ts';
import { startService } from '../../monitors/service.ts';
import { MonitorState } from '../../monitors/state.ts';
import { startTarget } from '../support/target.ts';
import { fakePass, writeHistory } from '../support/history.ts';
import { CHROMIUM, CHROMIUM_ARGS, makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

const skip = !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (npm install runs scripts/setup.sh to get it)`;
const URL_ = 'http://127.0.0.1:9';
const MIN = 60_000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** A state file with 300 clean passes a minute apart, then `failing` passes of the token-1h episode
 *  (token-lifetime and refresh fail) ending a minute ago. */
function historyWithIncident(dir: string, failing: number) {
  const settings = testSettings(dir, { MONITOR_LATENCY_DEGRADED_MS: '1000', MONITOR_LATENCY_FAIL_MS: '2500' });
  const state = new MonitorState(settings.MONITOR_DB);
  const now = Date.now();
  const start = now - (300 + failing) * MIN;
  writeHistory(state, URL_, 300, MIN, start + 299 * MIN);
  const firstFailing = now - failing * MIN;
  // fakePass(…, 62, 100) is inside the token-1h episode; (…, 1, 100) is clean.
  for (let i = 0; i < failing; i++)
    state.recordPass(
      fakePass(URL_, 62, 100, firstFailing + i * MIN, () => 0.5),
      { drop: [] },
    );
  state.close();
  return { settings, firstFailing };
}

async function shot(tab: Page, name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  const path = resolve(`test-results/${name}.png`);
  await tab.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

test('at 360 px: no horizontal scroll, charts as wide as their box, tables stacked, the headline and per-check uptime', {
  skip,
}, async () => {
  const dir = tempDir();
  const { settings, firstFailing } = historyWithIncident(dir, 4);
  const m = makeMonitor(URL_, settings);
  const html = m.monitor.statusPage();
  await m.monitor.stop();
  // The page counts from the history it charts; the state file (for windows past it) counts alike.
  const state = new MonitorState(settings.MONITOR_DB);
  assert.deepEqual(state.checkUptime(URL_, [Date.now() - 86_400_000]).get('token-lifetime'), [
    { passed: 300 - 6 + 4 - 4 - 12, total: 298 },
  ]);
  state.close();
  const file = join(dir, 'status.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const width of [360, 1280]) {
      const tab = await browser.newPage({ viewport: { width, height: 800 } });
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(pathToFileURL(file).href);
      await tab.waitForFunction(() => document.body.dataset.renderedMs !== undefined, undefined, { timeout: 30_000 });
      assert.deepEqual(errors, []);
      // Nothing wider than the screen: the page scrolls down only.
      const fit = await tab.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        beyond: [...document.querySelectorAll('body *')]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.right > innerWidth + 0.5;
          })
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`),
        charts: ['timeline', 'latency', 'lifetime'].map((id) => {
          const box = document.getElementById(id)!;
          return { id, box: box.clientWidth, canvas: box.querySelector('canvas')!.getBoundingClientRect().width };
        }),
        stacked: getComputedStyle(document.querySelector('#checks thead')!).display === 'none',
        // A word cut in two (a squeezed column): every badge on one line.
        brokenBadges: [...document.querySelectorAll('.badge')].filter((b) => b.getClientRects().length > 1).length,
      }));
      assert.equal(fit.scroll, width, `the page is ${fit.scroll} px wide at ${width} px`);
      assert.deepEqual(fit.beyond, [], `past the right edge at ${width} px`);
      for (const c of fit.charts)
        assert.ok(c.canvas <= c.box + 1 && c.canvas >= c.box * 0.9, `${c.id}: canvas ${c.canvas} px in a ${c.box} px box`);
      assert.equal(fit.stacked, width === 360, 'tables stacked on a phone only');
      assert.equal(fit.brokenBadges, 0, 'no badge broken over two lines');
      // What is wrong, and since when, first.
      const head = tab.locator('#headline');
      assert.equal(await head.getAttribute('data-state'), 'fail');
      assert.equal(await head.textContent(), `token-lifetime and refresh failing since ${hhmm(firstFailing)} UTC`);
      // Each check's own uptime: token-lifetime failed in the last 4 passes (and in the
      // history's own token-1h episode: 12 of 300 passes).
      const tl = tab.locator('tr[data-check="token-lifetime"] td.uptime span[data-window="24 h"]');
      assert.equal(await tl.getAttribute('data-total'), String(300 - 6 + 4), 'the 6 passes in a maintenance window left out');
      assert.equal(Number(await tl.getAttribute('data-passed')), 300 - 6 + 4 - 4 - 12);
      await shot(tab, `monitor-status-${width}`);
      await tab.close();
    }
  } finally {
    await browser.close();
  }
});

test('the headline: all passing, what fails since when, known and degraded named; no pass yet', async () => {
  const dir = tempDir();
  const settings = testSettings(dir);
  const state = new MonitorState(settings.MONITOR_DB);
  const now = Date.now();
  const page = (key = URL_) => {
    const m = new Monitor({ settings, url: URL_, targetKey: key, targetLabel: 't', logger: createLogger({ level: 'silent' }) });
    const html = m.statusPage();
    void m.stop();
    return /<p id="headline" data-state="(\w+)">([^<]*)<\/p>/.exec(html)!.slice(1);
  };
  assert.deepEqual(page(), ['none', 'No pass yet']);
  state.recordPass(
    fakePass(URL_, 1, 100, now - 3 * MIN, () => 0.5),
    { drop: [] },
  );
  assert.deepEqual(page(), ['pass', 'All checks passing']);
  // login fails: the checks it skips are not named, the run starts at its first failure.
  const down = fakePass(URL_, 81, 100, now - 2 * MIN, () => 0.5);
  state.recordPass(down, { drop: [] });
  state.recordPass({ ...down, startedAt: now - MIN }, { drop: [] });
  assert.deepEqual(page(), ['fail', `login failing since ${hhmm(now - 2 * MIN)} UTC`]);
  // A known issue and a degraded latency are neither passing nor failing: named.
  const odd = fakePass(URL_, 1, 100, now, () => 0.5);
  odd.checks = odd.checks.map((c) =>
    c.name === 'refresh' ? { ...c, status: 'known' } : c.name === 'latency' ? { ...c, status: 'degraded' } : c,
  );
  state.recordPass(odd, { drop: [] });
  assert.deepEqual(page(), ['other', 'No check failing · refresh failing as a known issue · latency degraded']);
  state.close();
});

test('the page says which history it shows; a fault-injected one loudly, with the clean one named', async () => {
  const dir = tempDir();
  const settings = testSettings(dir);
  const state = new MonitorState(settings.MONITOR_DB);
  const now = Date.now();
  state.recordPass(
    fakePass('local', 1, 100, now - MIN, () => 0.5),
    { drop: [] },
  );
  state.recordPass(
    fakePass('local+faults:token-1h', 62, 100, now, () => 0.5),
    { drop: [] },
  );
  state.close();
  const pageOf = (timeline: string) => {
    const m = new Monitor({
      settings,
      url: URL_,
      targetKey: 'bundled',
      timeline,
      targetLabel: timeline,
      logger: createLogger({ level: 'silent' }),
    });
    const html = m.statusPage();
    void m.stop();
    return /<p id="history-note"[^>]*>.*?<\/p>/s.exec(html)?.[0] ?? '';
  };
  const faulty = pageOf('local+faults:token-1h');
  assert.match(faulty, /class="banner warn" data-history="local\+faults:token-1h" data-faults="token-1h"/);
  assert.match(faulty, /fault-injected runs.*TARGET_FAULTS=token-1h.*Other histories in this state file: <code>local<\/code> \(1 pass,/s);
  const clean = pageOf('local');
  assert.match(clean, /class="note" data-history="local">History <code>local<\/code>\. Other histories .*local\+faults:token-1h/);
});

test('/badge.svg: passing, failing, per check, uptime; 404 for what does not exist; never cached', async () => {
  const target = await startTarget();
  const dir = tempDir();
  const m = makeMonitor(target.url, testSettings(dir));
  const service = await startService({
    monitor: m.monitor,
    schedule: '0 0 1 1 *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
    runAtStart: false,
  });
  const badge = async (q = '') => {
    const r = await fetch(`${service.url}/badge.svg${q}`);
    return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), body: await r.text() };
  };
  try {
    assert.match((await badge()).body, /aria-label="selftest: no data"/, 'before the first pass');
    await m.monitor.pass();
    const ok = await badge();
    assert.equal(ok.status, 200);
    assert.equal(ok.type, 'image/svg+xml; charset=utf-8');
    assert.equal(ok.cache, 'no-cache, no-store, must-revalidate');
    assert.match(
      ok.body,
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20" role="img" aria-label="selftest: passing">/,
    );
    assert.match(ok.body, /fill="#40cc55"/);
    assert.match((await badge('?uptime=24h')).body, /aria-label="uptime 24h: 100%"/);
    target.setFaults('token-1h');
    await m.monitor.pass();
    const down = await badge();
    assert.match(down.body, /aria-label="selftest: failing"/);
    assert.match(down.body, /fill="#c7130a"/);
    assert.match((await badge('?check=token-lifetime')).body, /aria-label="token-lifetime: failing"/);
    assert.match((await badge('?check=login')).body, /aria-label="login: passing"/);
    assert.match((await badge('?check=token-lifetime&uptime=24h')).body, /aria-label="token-lifetime 24h: 50\.00%"/);
    assert.match((await badge('?uptime=7d&label=<b>staging</b>')).body, /aria-label="&#60;b&#62;staging&#60;\/b&#62;: 50\.00%"/);
    const none = await badge('?check=nope');
    assert.equal(none.status, 404);
    assert.match(none.body, /no check 'nope': the checks are login, /);
    assert.equal((await badge('?uptime=1y')).status, 404);
  } finally {
    await service.stop();
    await target.close();
  }
});
