// The rate-limit headers, as each kind of server writes them: X-RateLimit-* (the Temporal server's,
// GitHub's), the IETF drafts' three headers, their later `RateLimit` + `RateLimit-Policy` and the
// dictionary form, Retry-After in both forms; and the words every part says them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeRateLimit,
  perHour,
  RATE_LIMITED,
  RateLimitedError,
  readRateLimit,
  saysRateLimited,
  whenWords,
} from '../../core/rate-limit.ts';

const NOW = Date.parse('2026-12-06T18:16:00Z');

test('X-RateLimit-* as the Temporal server sends them (reset in unix seconds), in any letter case', () => {
  const r = readRateLimit({ 'X-Ratelimit-Limit': '600', 'x-ratelimit-remaining': '598', 'X-RATELIMIT-RESET': '1796584503' }, NOW);
  assert.deepEqual(r, { limit: 600, remaining: 598, resetAtMs: 1796584503000, windowS: 3600, windowGiven: false, from: ['X-RateLimit-*'] });
  assert.equal(perHour(r!), 600);
});

test('a reset given in seconds to wait, or in milliseconds since the epoch, is read as such', () => {
  assert.equal(readRateLimit({ 'x-ratelimit-limit': '10', 'x-ratelimit-reset': '30' }, NOW)?.resetAtMs, NOW + 30_000);
  assert.equal(readRateLimit({ 'x-ratelimit-limit': '10', 'x-ratelimit-reset': '1796584503000' }, NOW)?.resetAtMs, 1796584503000);
});

test("the IETF drafts' RateLimit-Limit/-Remaining/-Reset (reset in seconds to wait)", () => {
  const r = readRateLimit({ 'ratelimit-limit': '100', 'ratelimit-remaining': '7', 'ratelimit-reset': '50' }, NOW);
  assert.deepEqual([r?.limit, r?.remaining, r?.resetAtMs, r?.from], [100, 7, NOW + 50_000, ['RateLimit']]);
});

test('the later RateLimit with RateLimit-Policy: the policy with the fewest requests left binds, its quota and window named', () => {
  const r = readRateLimit(
    { ratelimit: '"burst";r=40;t=1, "hourly";r=3;t=1200', 'ratelimit-policy': '"burst";q=50;w=1, "hourly";q=600;w=3600' },
    NOW,
  );
  assert.deepEqual([r?.limit, r?.remaining, r?.resetAtMs, r?.windowS, r?.windowGiven], [600, 3, NOW + 1_200_000, 3600, true]);
  assert.match(describeRateLimit(r!, NOW), /^600 requests per hour for this client, 3 left until 18:36:00 UTC, in 20 min$/);
});

test("the middle drafts' dictionary form, and an old policy that names the quota as its item", () => {
  const r = readRateLimit({ RateLimit: 'limit=100, remaining=0, reset=90', 'RateLimit-Policy': '100;w=60' }, NOW);
  assert.deepEqual([r?.limit, r?.remaining, r?.resetAtMs, r?.windowS], [100, 0, NOW + 90_000, 60]);
  assert.equal(perHour(r!), 6000);
  assert.match(describeRateLimit(r!, NOW), /100 requests per minute for this client, none left until 18:17:30 UTC, in 2 min/);
});

test('Retry-After in seconds or as an HTTP date, alone or beside the limit; it says when more is granted', () => {
  assert.equal(readRateLimit({ 'retry-after': '120' }, NOW)?.retryAtMs, NOW + 120_000);
  assert.equal(readRateLimit({ 'retry-after': 'Sun, 06 Dec 2026 19:00:00 GMT' }, NOW)?.retryAtMs, Date.parse('2026-12-06T19:00:00Z'));
  const both = readRateLimit({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'retry-after': '60' }, NOW)!;
  assert.deepEqual(both.from, ['X-RateLimit-*', 'Retry-After']);
  assert.match(describeRateLimit(both, NOW), /none left until 18:17:00 UTC, in 60 s/);
});

test('nothing, or nonsense, says nothing: no limit is made up', () => {
  assert.equal(readRateLimit({ 'content-type': 'application/json' }, NOW), undefined);
  assert.equal(readRateLimit({ 'x-ratelimit-limit': 'lots', 'retry-after': 'soon' }, NOW), undefined);
  assert.equal(readRateLimit({ 'x-ratelimit-limit': '-1' }, NOW), undefined);
});

test('a 429 is said in words that name the limit and what to do, and the release check knows it by them', () => {
  const r = readRateLimit(
    { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 3120) },
    NOW,
  );
  const e = new RateLimitedError({ method: 'POST', path: '/v2/auth/register' }, r, NOW);
  assert.equal(
    e.message,
    `POST /v2/auth/register ${RATE_LIMITED}: the target's rate limit, not a fault of the API (600 requests per hour for this ` +
      'client, none left until 19:08:00 UTC, in 52 min); wait for it, or ask for a higher limit for this client',
  );
  assert.ok(saysRateLimited(`Error: ${e.message}`));
  assert.ok(!saysRateLimited('login answered 401, expected 200'));
  assert.match(whenWords(NOW + 2 * 86_400_000, NOW), /^2026-12-08 18:16:00 UTC, in 48\.0 h$/);
});
