// Living within a target's rate limit, proven against the bundled target with TARGET_RATE_LIMIT (the
// real server's semantics: X-RateLimit-* on every answer, 429 `Limit exceeded` past it), part by part:
// npm start stops before traffic (exit 3) when its plan cannot fit, shrinks what can shrink and says so,
// and is INCONCLUSIVE (exit 3), never NO-GO, when the limit cuts it short; a monitor pass is throttled;
// k6 counts the 429s apart and stops; a test fails naming the limit; the explorer stops saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { RATE_LIMITED } from '../../core/rate-limit.ts';
import { monitorRunEnv, runCli } from '../support/cli.ts';
import { withTarget } from '../support/target.ts';
import { tempDir } from '../support/temp.ts';

/** npm start against the limited target at `url`, a developer's .env kept out. */
function cleanEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = tempDir('hx-rate-limit-test-');
  return {
    TARGET_URL: url,
    ...monitorRunEnv(dir),
    RELEASE_TEST_PROJECTS: '',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** What the target's limit has left for this client (one request of it). */
async function left(url: string): Promise<number> {
  const res = await fetch(`${url}/v2/account/token/username`);
  return Number(res.headers.get('x-ratelimit-remaining'));
}

test('npm start stops before any traffic beyond its probe when the plan cannot fit: exit 3, one sentence', async () => {
  const h = await withTarget({ rateLimit: 30 });
  try {
    const r = await runCli('npm', ['start', '-s'], cleanEnv(h.target.url));
    assert.equal(r.code, 3, r.output);
    assert.match(r.stdout, /^Generation: documented, detected: a new account logged in right after registering \(2 requests\)$/m);
    assert.match(
      r.stdout,
      /^Not started: this release check needs at least \d+ requests \(tests \d+, load \d+, monitor \d+, explore \d+; each at its smallest\) and 127\.0\.0\.1 grants 28 more until .+ UTC, in 60 min \(30 requests per hour for this client\): wait until then, ask its operators for a higher limit for this client, or run fewer parts \(RELEASE_PARTS=monitor fits\)$/m,
    );
    assert.doesNotMatch(r.stdout, /▶/, 'no part started');
    // The probe (register, login), nothing else: what is left after this test's own look.
    assert.equal(await left(h.target.url), 30 - 2 - 1);
  } finally {
    await h.close();
  }
});

test('npm start shrinks the k6 smokes and the explorer to fit, says so, prints what each part used, and says GO', async () => {
  const h = await withTarget({ rateLimit: 92 });
  try {
    const r = await runCli('npm', ['start', '-s'], cleanEnv(h.target.url, { RELEASE_PARTS: 'load,monitor,explore', EXPLORE_SECONDS: '5' }));
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^rate limit: 92 requests per hour for this client, 90 left until .+ \(X-RateLimit-\*\)$/m);
    assert.match(r.stdout, /^load: each k6 smoke shrunk to 1\/s for \d+ s \(\d+ and \d+ requests\) to fit the target's rate limit$/m);
    const budget = Number(/^explore: its budget shrunk to (\d+) requests/m.exec(r.stdout)?.[1]);
    assert.ok(budget >= 50, r.stdout);
    const used = /^requests used: .*explore, seed \d+ (\d+);/m.exec(r.stdout);
    assert.ok(used && Number(used[1]) <= budget, `the explorer kept to its budget: ${used?.[0]}`);
    assert.match(r.stdout, /^GO: 4 of 4 parts passed/m);
    assert.ok((await left(h.target.url)) >= 0);
  } finally {
    await h.close();
  }
});

test('a run the limit cuts short is INCONCLUSIVE (exit 3), never NO-GO: the monitor pass is throttled and pages nobody', async () => {
  const h = await withTarget({ rateLimit: 40 });
  try {
    const child = execa('npm', ['start', '-s'], { env: cleanEnv(h.target.url, { RELEASE_PARTS: 'monitor' }), reject: false, all: true });
    // Someone else on this client spends the limit between the plan and the monitor's pass.
    let spent = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (spent || !chunk.toString().includes('plan:')) return;
      spent = true;
      void (async () => {
        for (let n = await left(h.target.url); n > 0; n--) await left(h.target.url);
      })();
    });
    const r = await child;
    assert.equal(r.exitCode, 3, r.all);
    // One cause, the limit's, with the part and check it cut short under it.
    assert.match(r.stdout, new RegExp(`^◌ POST /v2/auth/register ${RATE_LIMITED.replace(/[()]/g, '\\$&')}: the target's rate limit`, 'm'));
    assert.match(r.stdout, /^ {4}monitor pass: 1 check — login$/m);
    assert.match(
      r.stdout,
      /^INCONCLUSIVE: 0 of 1 parts passed in [\d.]+ s; the target's rate limit cut the run short, and nothing failed on its own/m,
    );
    assert.doesNotMatch(r.stdout, /NO-GO/);
  } finally {
    await h.close();
  }
});

test('monitor --once: a pass that meets a 429 is THROTTLED (exit 3), and a schedule the limit cannot hold is said', async () => {
  const h = await withTarget({ rateLimit: 3 });
  try {
    const r = await runCli('npm', ['run', '-s', 'monitor', '--', '--once'], cleanEnv(h.target.url, { MONITOR_SCHEDULE: '* * * * *' }));
    assert.equal(r.code, 3, r.output);
    assert.match(r.stdout, /^token-works\s+THROTTLED\s/m);
    assert.match(
      r.stdout,
      /^THROTTLED: the target's rate limit stopped the pass at token-works: neither a pass nor a failure of the API; nobody is paged$/m,
    );
    assert.match(r.stdout, /^refresh\s+SKIPPED\s.*not run: the target's rate limit stopped the pass at token-works$/m);
    assert.match(
      r.stdout,
      /^warning: MONITOR_SCHEDULE: '\* \* \* \* \*' runs 60 passes an hour of about 4 requests each \(240 an hour\), more than the target's rate limit grants \(3 requests per hour for this client\): passes will be throttled; run at most 1 an hour \(e\.g\. MONITOR_SCHEDULE='0 \* \* \* \*'\), or ask for a higher limit for this client$/m,
    );
  } finally {
    await h.close();
  }
});

test('k6 counts the 429s apart, stops at once and its summary says "rate limited"; a test that meets one fails naming the limit', async () => {
  const h = await withTarget({ rateLimit: 8 });
  try {
    // The pool (2 registrations), then logins until the limit answers.
    const k6 = await runCli('npm', ['run', '-s', 'load', '--', 'login'], cleanEnv(h.target.url));
    assert.equal(k6.code, 99, k6.output);
    assert.match(k6.stdout, /^ {2}rate limited: \d+ answers were the target's rate limit \(429\), counted apart; the run stopped there/m);
    assert.match(k6.output, /login answered 429 \(rate limited\): the target's rate limit, not a fault of the API \(8 requests per hour/);
  } finally {
    await h.close();
  }
  // The generation given (no probe): the smoke project's account is made, then its tests meet the limit.
  const t = await withTarget({ rateLimit: 4 });
  try {
    const pw = await runCli(
      'npx',
      ['playwright', 'test', '--project=smoke', '--reporter=line'],
      cleanEnv(t.target.url, { TARGET_GENERATION: 'documented' }),
    );
    assert.equal(pw.code, 1, pw.output);
    assert.match(
      pw.output,
      /answered 429 \(rate limited\): the target's rate limit, not a fault of the API \(4 requests per hour for this client/,
    );
  } finally {
    await t.close();
  }
});
