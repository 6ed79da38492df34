// The pure parts shared by k6 and Node: profiles, caps, thresholds, the safety gate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../load/lib/duration.ts';
import { buildProfile, LIMITS, PROFILES } from '../../load/lib/profiles.ts';
import { assertTargetAllowed } from '../../load/lib/safety.ts';
import { buildCriteria, buildThresholds, checkedCounter } from '../../load/lib/thresholds.ts';

describe('load profiles', () => {
  it('every profile of both scripts uses an arrival-rate executor, bounded in time and VUs', () => {
    for (const script of ['login', 'credits'] as const)
      for (const name of PROFILES) {
        const p = buildProfile(script, { PROFILE: name });
        assert.match(p.scenario.executor, /arrival-rate$/, `${script} ${name}`);
        assert.ok(p.durationS > 0 && p.durationS <= LIMITS.maxDurationS, `${script} ${name} lasts ${p.durationS}s`);
        assert.ok(p.maxVUs <= LIMITS.maxVUs && p.preVUs <= p.maxVUs, `${script} ${name} VUs ${p.preVUs}..${p.maxVUs}`);
        if (p.scenario.executor === 'ramping-arrival-rate') {
          const total = p.scenario.stages.reduce((s, st) => s + (parseDuration(st.duration) ?? NaN), 0);
          assert.equal(total, p.durationS, `${script} ${name}: stages add up to the duration`);
        }
      }
  });

  it('the smoke profiles are short enough for CI', () => {
    assert.ok(buildProfile('login', {}).durationS <= 20);
    assert.ok(buildProfile('credits', {}).durationS <= 20);
    assert.ok(buildProfile('login', {}).rate <= 5, 'a few bcrypt logins per second on a 2-core runner');
  });

  it('env overrides rate, duration and VUs', () => {
    const p = buildProfile('credits', { PROFILE: 'load', RATE: '123', DURATION: '1m30s', PRE_VUS: '3', MAX_VUS: '7', POOL_SIZE: '2' });
    assert.deepEqual([p.rate, p.durationS, p.preVUs, p.maxVUs, p.poolSize], [123, 90, 3, 7, 2]);
    assert.equal(p.scenario.executor, 'constant-arrival-rate');
  });

  it('refuses values past the hard caps, naming the variable', () => {
    assert.throws(() => buildProfile('login', { DURATION: '31m' }), /^ProfileError: DURATION: at most 30m/);
    assert.throws(() => buildProfile('login', { DURATION: 'soon' }), /DURATION: expected a duration/);
    assert.throws(() => buildProfile('login', { MAX_VUS: '501' }), /MAX_VUS: expected a whole number from 1 to 500/);
    assert.throws(() => buildProfile('login', { MAX_VUS: '5', PRE_VUS: '6' }), /PRE_VUS: must not exceed MAX_VUS/);
    assert.throws(() => buildProfile('login', { RATE: '0' }), /RATE:/);
    assert.throws(() => buildProfile('login', { PROFILE: 'heavy' }), /PROFILE: expected one of smoke, load, stress, spike, soak/);
  });
});

describe('load thresholds', () => {
  it('fail on error rate, p95/p99 per endpoint and checks, and require that requests and checks happened', () => {
    const t = buildThresholds('login', buildCriteria('login', {}));
    assert.deepEqual(
      Object.keys(t).sort(),
      [
        'checks{name:login}',
        'http_req_duration{name:login}',
        'http_req_failed{name:login}',
        'http_reqs{name:login}',
        checkedCounter('login'),
      ].sort(),
    );
    assert.deepEqual(t['http_reqs{name:login}'], ['count>0']);
    assert.deepEqual(t[checkedCounter('login')], ['count>0']);
  });

  it('are overridable by env, and refuse nonsense', () => {
    const c = buildCriteria('credits', { P95_MS: '50', P99_MS: '90', MAX_ERROR_RATE: '0.05', MIN_CHECKS_RATE: '0.9' });
    assert.deepEqual(c, { p95Ms: 50, p99Ms: 90, maxErrorRate: 0.05, minChecksRate: 0.9 });
    assert.throws(() => buildCriteria('credits', { MAX_ERROR_RATE: '5' }), /MAX_ERROR_RATE: expected a number from 0 to 1/);
  });
});

describe('load safety gate', () => {
  it('lets loopback targets through', () => {
    for (const u of ['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9'])
      assert.doesNotThrow(() => assertTargetAllowed(u, undefined));
  });
  it('refuses any other host unless CONFIRM_TARGET names it exactly', () => {
    assert.throws(() => assertTargetAllowed('https://api.staging.example.com', undefined), /CONFIRM_TARGET=api\.staging\.example\.com/);
    assert.throws(() => assertTargetAllowed('https://api.staging.example.com', 'api.example.com'), /another host/);
    assert.throws(() => assertTargetAllowed('http://10.0.0.5:8080', 'yes'), /refusing to load 10\.0\.0\.5/);
    assert.doesNotThrow(() => assertTargetAllowed('https://api.staging.example.com', 'api.staging.example.com'));
  });
  it('refuses a missing or malformed TARGET_URL', () => {
    assert.throws(() => assertTargetAllowed(undefined, undefined), /TARGET_URL: not set/);
    assert.throws(() => assertTargetAllowed('ftp://x', undefined), /TARGET_URL: expected an http\(s\) URL/);
    assert.throws(() => assertTargetAllowed('http://127.0.0.1:8080/v2', undefined), /without \/v2/);
  });
});
