// A made-up but lifelike pass history for the status page's tests and benchmark: passes every
// `everyMs` up to now, with a token-works outage, a latency spike, a token-1h episode and a
// maintenance window in it, so every chart and every colour has something to show.
import type { MonitorState } from '../../monitors/state.ts';
import { CHECK_NAMES, type CheckName, type CheckResult, type CheckStatus, type PassResult } from '../../monitors/types.ts';

export interface Episode {
  /** Share of the history where it starts and ends (0..1). */
  from: number;
  to: number;
}

export const EPISODES = {
  tokenWorks: { from: 0.3, to: 0.33 },
  latency: { from: 0.45, to: 0.5 },
  token1h: { from: 0.6, to: 0.64 },
  maintenance: { from: 0.8, to: 0.82 },
} satisfies Record<string, Episode>;

/** Deterministic noise, so screenshots compare run to run. */
function noise(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

export function fakePass(target: string, i: number, n: number, startedAt: number, rnd: () => number): PassResult {
  const at = n <= 1 ? 1 : i / (n - 1);
  const inside = (e: Episode) => at >= e.from && at < e.to;
  const slow = inside(EPISODES.latency);
  const steps = [
    { step: 'login', ms: slow ? 700 + rnd() * 500 : 60 + rnd() * 30 },
    { step: 'credits', ms: 4 + rnd() * 6 + (rnd() < 0.01 ? 40 : 0) },
    { step: 'refresh', ms: 4 + rnd() * 5 },
    { step: 'kept-token', ms: 3 + rnd() * 4 },
  ];
  const worst = Math.max(...steps.map((s) => s.ms));
  const status = new Map<CheckName, [CheckStatus, string]>(
    CHECK_NAMES.map((c) => [c, ['pass', c === 'login' ? `logged in as temporal-monitor-6f1c in ${Math.round(steps[0]!.ms)} ms` : 'ok']]),
  );
  if (inside(EPISODES.tokenWorks))
    status.set('token-works', ['fail', 'credits body does not match the contract: expected number, received string at (root)']);
  if (inside(EPISODES.token1h)) {
    status.set('token-lifetime', [
      'fail',
      'token expires in 1h 0m, expected 24h 0m ± 1m (expire=…, measured from the server\u2019s Date header)',
    ]);
    status.set('refresh', ['fail', 'refreshed token expires in 1h 0m, expected 24h 0m ± 1m']);
  }
  if (inside(EPISODES.maintenance)) {
    status.set('login', ['fail', 'login answered HTTP 503: {"code":503,"response":"service unavailable"}']);
    for (const c of ['token-lifetime', 'token-works', 'refresh', 'token-across-runs'] as const)
      status.set(c, ['skipped', 'not run: login failed']);
  }
  if (worst >= 1000) status.set('latency', ['degraded', `login took ${Math.round(worst)} ms (degraded at 1000 ms)`]);
  const checks: CheckResult[] = CHECK_NAMES.map((name) => {
    const [s, message] = status.get(name)!;
    return { name, status: s, durationMs: 5 + rnd() * 20, attempts: s === 'fail' ? 3 : 1, message };
  });
  const lifetime = inside(EPISODES.token1h) ? 3600 : 86_400 - rnd();
  return {
    target,
    targetLabel: 'selftest',
    startedAt,
    durationMs: 100 + rnd() * 80 + (slow ? 800 : 0),
    status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
    checks,
    steps: inside(EPISODES.maintenance) ? [] : steps,
    ...(inside(EPISODES.maintenance)
      ? { maintenance: true }
      : { tokenExpireS: Math.round(startedAt / 1000 + lifetime), tokenLifetimeS: lifetime }),
  };
}

/** Writes `n` passes ending now into the state, `everyMs` apart. */
export function writeHistory(state: MonitorState, target: string, n: number, everyMs = 60_000, now = Date.now()): void {
  const rnd = noise(42);
  for (let i = 0; i < n; i++) state.recordPass(fakePass(target, i, n, now - (n - 1 - i) * everyMs, rnd), { drop: [] });
}
