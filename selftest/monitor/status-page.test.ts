// The status page in a real headless browser (Debian's chromium through Playwright): the latest
// result per check, the timeline, the latency chart and the token's time to expiry, plus a
// screenshot in test-results/ for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { startTarget } from '../../reference/server.ts';
import { assertNoSecrets, makeMonitor, tempDir, testSettings } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

test('the status page shows checks, history, latency and the token in chromium', {
  skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (npm install runs scripts/setup.sh to get it)`,
}, async () => {
  const target = await startTarget();
  const dir = tempDir();
  const page = `${dir}/status.html`;
  const m = makeMonitor(target.url, testSettings(dir, { MONITOR_STATUS_PAGE: page }));
  const secrets: string[] = [];
  try {
    // Some history: passes, a fault, recovery.
    for (const fault of ['', '', 'credits-string', 'token-1h', '', '']) {
      target.setFaults(fault);
      secrets.push(...(await m.monitor.pass()).secrets);
    }
  } finally {
    await m.monitor.stop();
    await target.close();
  }
  const html = readFileSync(page, 'utf8');
  assertNoSecrets({ 'status page': html }, secrets);
  assert.doesNotMatch(html, /<(link|img|script)[^>]+(src|href)=/i, 'no external assets');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await tab.goto(pathToFileURL(page).href);
    assert.match(await tab.title(), /Temporal API monitor — selftest/);
    assert.equal(await tab.locator('#checks tbody tr').count(), 6);
    assert.equal(await tab.locator('tr[data-check="token-works"]').getAttribute('data-status'), 'pass');
    assert.equal(
      await tab.locator('#timeline rect.fail').count(),
      3,
      'credits-string failed token-works; token-1h failed token-lifetime and refresh',
    );
    assert.equal(await tab.locator('#timeline rect').count(), 6 * 6);
    assert.ok((await tab.locator('#latency polyline.series').count()) >= 3);
    assert.match((await tab.locator('#token').textContent()) ?? '', /Current token expires in 2[34]h/);
    mkdirSync('test-results', { recursive: true });
    const shot = resolve('test-results/monitor-status.png');
    await tab.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));
    console.log(`status page screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
