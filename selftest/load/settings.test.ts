// The settings code shared by k6 and Node (load/lib/settings.ts): profiles, caps, thresholds'
// overrides, the safety gate. The thresholds themselves sit in each script's options; the smoke
// runs show them (selftest/load/smoke.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationS } from '../../core/durations.ts';
import { assertTargetAllowed, buildCriteria, buildProfile, LIMITS, PROFILES, runConfig, scenariosOf } from '../../load/lib/settings.ts';

describe('load profiles', () => {
  it('every profile of both scripts uses an arrival-rate executor, bounded in time and VUs', () => {
    for (const script of ['login', 'credits'] as const)
      for (const name of PROFILES) {
        const p = buildProfile(script, { LOAD_PROFILE: name });
        assert.match(p.scenario.executor, /arrival-rate$/, `${script} ${name}`);
        assert.ok(p.durationS > 0 && p.durationS <= LIMITS.maxDurationS, `${script} ${name} lasts ${p.durationS}s`);
        assert.ok(p.maxVUs <= LIMITS.maxVUs && p.preVUs <= p.maxVUs, `${script} ${name} VUs ${p.preVUs}..${p.maxVUs}`);
        if (p.scenario.executor === 'ramping-arrival-rate') {
          const total = p.scenario.stages.reduce((s, st) => s + (parseDurationS(st.duration) ?? NaN), 0);
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
    const p = buildProfile('credits', {
      LOAD_PROFILE: 'load',
      LOAD_RATE: '123',
      LOAD_DURATION: '1m30s',
      LOAD_PRE_VUS: '3',
      LOAD_MAX_VUS: '7',
      LOAD_POOL_SIZE: '2',
    });
    assert.deepEqual([p.rate, p.durationS, p.preVUs, p.maxVUs, p.poolSize], [123, 90, 3, 7, 2]);
    assert.equal(p.scenario.executor, 'constant-arrival-rate');
  });

  it('refuses values past the hard caps, naming the variable', () => {
    assert.throws(
      () => buildProfile('login', { LOAD_DURATION: '31m' }),
      /^SettingsError: Bad settings.*\n {2}- LOAD_DURATION: at most 30m/,
    );
    assert.throws(() => buildProfile('login', { LOAD_DURATION: 'soon' }), /LOAD_DURATION: expected a duration/);
    assert.throws(() => buildProfile('login', { LOAD_MAX_VUS: '501' }), /LOAD_MAX_VUS: expected a whole number from 1 to 500/);
    assert.throws(() => buildProfile('login', { LOAD_MAX_VUS: '5', LOAD_PRE_VUS: '6' }), /LOAD_PRE_VUS: must not exceed LOAD_MAX_VUS/);
    assert.throws(() => buildProfile('login', { LOAD_RATE: '0' }), /LOAD_RATE:/);
    assert.throws(() => buildProfile('login', { LOAD_PROFILE: 'heavy' }), /LOAD_PROFILE: expected one of smoke, load, stress, spike, soak/);
  });

  it('LOAD_WARMUP: a warm-up at the first rate, tagged apart, then the measured part with the same VUs; bounded with it', () => {
    const p = buildProfile('credits', { LOAD_PROFILE: 'load', LOAD_RATE: '300', LOAD_DURATION: '8s', LOAD_WARMUP: '3s' });
    assert.equal(p.warmupS, 3);
    const sc = scenariosOf('credits', p);
    assert.deepEqual(Object.keys(sc), ['warmup', 'credits']);
    assert.deepEqual(
      [
        sc.warmup!.executor,
        (sc.warmup as { rate?: number }).rate,
        (sc.warmup as { duration?: string }).duration,
        sc.warmup!.gracefulStop,
        sc.warmup!.tags,
      ],
      ['constant-arrival-rate', 300, '3s', '0s', { name: 'credits:warmup' }],
      'no grace at its end: the measured part takes over at once',
    );
    assert.deepEqual(
      [sc.credits!.startTime, sc.credits!.tags],
      ['3s', { name: 'credits' }],
      'every threshold selects name:credits, so no warm-up sample counts',
    );
    assert.match(p.describe, /for 8s after 3s of warm-up/);
    // A ramp warms up at its start rate.
    assert.equal(
      (scenariosOf('login', buildProfile('login', { LOAD_PROFILE: 'stress', LOAD_WARMUP: '10s' })).warmup as { rate: number }).rate,
      1,
    );
    assert.deepEqual(Object.keys(scenariosOf('login', buildProfile('login', {}))), ['login'], 'no warm-up unless asked');
    assert.throws(
      () => buildProfile('login', { LOAD_DURATION: '29m', LOAD_WARMUP: '2m' }),
      /^SettingsError: Bad settings.*\n {2}- LOAD_WARMUP: with LOAD_DURATION at most 30m/,
    );
    assert.throws(
      () => buildProfile('login', { LOAD_WARMUP: 'a bit' }),
      /^SettingsError: Bad settings.*\n {2}- LOAD_WARMUP: expected a duration/,
    );
  });
});

describe("load thresholds' overrides", () => {
  it("the latency defaults are the scripts' own; overrides are read, and nonsense refused", () => {
    assert.deepEqual(buildCriteria({}), { p95Ms: undefined, p99Ms: undefined, maxErrorRate: 0.01, minChecksRate: 0.99 });
    const c = buildCriteria({ LOAD_P95_MS: '50', LOAD_P99_MS: '90', LOAD_MAX_ERROR_RATE: '0.05', LOAD_MIN_CHECKS_RATE: '0.9' });
    assert.deepEqual(c, { p95Ms: 50, p99Ms: 90, maxErrorRate: 0.05, minChecksRate: 0.9 });
    assert.throws(() => buildCriteria({ LOAD_MAX_ERROR_RATE: '5' }), /LOAD_MAX_ERROR_RATE: expected a number from 0 to 1/);
    assert.throws(() => buildCriteria({ LOAD_P95_MS: '0' }), /LOAD_P95_MS: expected a whole number from 1 to 600000/);
  });

  it('a k6 script refuses TARGET_FAULTS and reads the accounts under their LOAD_ names', () => {
    assert.throws(
      () => runConfig('login', { TARGET_URL: 'http://127.0.0.1:1', TARGET_FAULTS: 'drop' }),
      /^SettingsError: Bad settings.*\n {2}- TARGET_FAULTS:/,
    );
    const r = runConfig('login', { TARGET_URL: 'http://127.0.0.1:1', LOAD_ACCOUNTS_FILE: ' /a.json ', LOAD_ACCOUNTS_JSON: '[]' });
    assert.deepEqual([r.accountsFile, r.accountsJson, r.baseUrl], ['/a.json', '[]', 'http://127.0.0.1:1']);
  });
});

describe('load safety gate', () => {
  it('lets loopback targets through', () => {
    for (const u of ['http://127.0.0.1:8080', 'http://localhost:1', 'http://[::1]:9'])
      assert.doesNotThrow(() => assertTargetAllowed(u, undefined));
  });
  it('refuses any other host unless CONFIRM_TARGET names it exactly', () => {
    assert.throws(
      () => assertTargetAllowed('https://api.staging.example.com', undefined),
      /^SettingsError: Bad settings.*\n {2}- CONFIRM_TARGET: refusing.*CONFIRM_TARGET=api\.staging\.example\.com/,
    );
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
