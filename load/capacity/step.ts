// One step of the capacity search: the harness's own k6 script (load/login.ts or load/credits.ts)
// at a constant arrival rate, LOAD_WARMUP of warm-up (tagged apart, so in no figure) then
// CAPACITY_STEP measured, its figures read from k6's summary export (private: it holds setup()'s
// tokens), and the CPU that k6, the target and everything else used meanwhile (from /proc).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ScriptName } from '../lib/settings.ts';
import { k6Args, goRuntimeEnv } from '../runner/k6.ts';
import { cpuSampler, type CpuUse } from './cpu.ts';
import type { Limit, StepVerdict } from './search.ts';

export interface StepFigures extends StepVerdict {
  /** Requests answered in the measured part, and the iterations it asked for (rate × CAPACITY_STEP): far
   *  fewer answered than asked, with few dropped, is a step k6 ended early (a threshold's abortOnFail). */
  requests: number;
  asked: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Share of the measured part's requests that failed (status ≥ 400 or no answer). */
  errorRate: number;
  /** Share of the measured part's checks that passed. */
  checksRate?: number;
  /** Iterations k6 could not start in the measured part: its VUs were all busy. */
  dropped: number;
  /** The SLO the step was judged on: the script's p95 threshold (LOAD_P95_MS or its default). */
  p95LimitMs?: number;
  maxVUs: number;
  exitCode: number;
  /** Wall time of the step (k6's start-up and setup() included). */
  seconds: number;
  /** CPU over the last CAPACITY_STEP seconds of the step (undefined without /proc). */
  cpu?: CpuUse;
}

export interface Slo {
  maxErrorRate: number;
  minChecksRate: number;
}

export interface StepContext {
  bin: string;
  script: ScriptName;
  /** The -e values of every step: the run's settings, TARGET_URL and the accounts file. */
  env: Record<string, string | undefined>;
  warmupS: number;
  measureS: number;
  /** LOAD_MAX_VUS, or the most a run may have. */
  maxVUs: number;
  /** The p95 the script judges (known after the first step; 1 s until then), for sizing VUs. */
  p95HintMs: number;
  slo: Slo;
  /** Where the summary exports go (a private folder). */
  exportDir: string;
  /** taskset CPUs for k6 (`0`), when pinned. */
  k6Cpus?: string;
  targetPid?: number;
  /** Aborted: the step stops as Ctrl-C stops k6 (its figures are kept, marked stopped). */
  stop: AbortSignal;
}

/**
 * VUs for a rate: enough for three times the SLO's latency of requests in flight (Little's law), within
 * LOAD_MAX_VUS, so that k6 runs out of VUs only once the target is far past the SLO (or at the cap). All
 * of them started before the step (about a millisecond of k6's CPU each): an arrival-rate executor that
 * starts a VU mid-run drops the iteration that wanted it, which would break a step the target held.
 */
export function stepVUs(rate: number, p95Ms: number, cap: number): { pre: number; max: number } {
  const max = Math.min(cap, Math.max(20, Math.ceil((3 * rate * p95Ms) / 1000)));
  return { pre: max, max };
}

/** The limits a step broke, in the order they are judged. */
export function judge(f: Omit<StepFigures, 'broke'>, slo: Slo, measureS: number): Limit[] {
  const broke: Limit[] = [];
  if (f.requests === 0 || (f.p95LimitMs !== undefined && (f.p95Ms ?? Infinity) >= f.p95LimitMs)) broke.push('p95');
  if (f.requests === 0 || f.errorRate > slo.maxErrorRate) broke.push('errors');
  if (f.checksRate !== undefined && f.checksRate < slo.minChecksRate) broke.push('checks');
  if (f.dropped > Math.max(0, slo.maxErrorRate * f.rate * measureS)) broke.push('dropped');
  return broke;
}

/** k6 stopped by a signal (Ctrl-C, the budget): its summary is still written. */
const STOPPED = 105;

export class StepError extends Error {
  override name = 'StepError';
}

export async function runStep(ctx: StepContext, rate: number): Promise<StepFigures> {
  const exportFile = join(ctx.exportDir, `step-${rate}-${Date.now()}.json`);
  const vus = stepVUs(rate, ctx.p95HintMs, ctx.maxVUs);
  const env = {
    ...ctx.env,
    LOAD_PROFILE: 'load',
    LOAD_RATE: String(rate),
    LOAD_DURATION: `${ctx.measureS}s`,
    LOAD_WARMUP: `${ctx.warmupS}s`,
    LOAD_PRE_VUS: String(vus.pre),
    LOAD_MAX_VUS: String(vus.max),
  };
  // No REST API (several k6 may run on this machine), quiet, the export in the private folder.
  const args = k6Args({ script: `${ctx.script}.ts`, env, args: ['--quiet', '--address=', '--summary-export', exportFile] });
  const [cmd, argv] = ctx.k6Cpus ? ['taskset', ['-c', ctx.k6Cpus, ctx.bin, ...args]] : [ctx.bin, args];
  const t0 = performance.now();
  // Its own process group: a Ctrl-C in the terminal reaches this runner only, which stops k6 once
  // (a second SIGINT would make k6 quit without its summary).
  const child = execa(cmd, argv, { env: goRuntimeEnv(), stdin: 'ignore', reject: false, detached: true, maxBuffer: 64 * 1024 * 1024 });
  const kill = () => child.kill('SIGINT');
  const orphan = () => child.kill('SIGKILL');
  ctx.stop.addEventListener('abort', kill);
  process.once('exit', orphan);
  const cpu = cpuSampler({ k6: child.pid, target: ctx.targetPid });
  const r = await child;
  cpu.stop();
  ctx.stop.removeEventListener('abort', kill);
  process.off('exit', orphan);
  const seconds = (performance.now() - t0) / 1000;
  const code = r.exitCode ?? 128;
  if (!existsSync(exportFile)) {
    if (ctx.stop.aborted)
      return {
        rate,
        broke: [],
        stopped: true,
        requests: 0,
        asked: rate * ctx.measureS,
        errorRate: 0,
        dropped: 0,
        maxVUs: vus.max,
        exitCode: code,
        seconds,
      };
    const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new StepError(`k6 ${ctx.script} at ${rate}/s exited ${code} before its summary:\n${why || r.message}`);
  }
  const raw = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: Record<string, Record<string, unknown>> };
  rmSync(exportFile, { force: true });
  const m = (name: string) => raw.metrics[`${name}{name:${ctx.script}}`] ?? {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const duration = m('http_req_duration');
  const rule = Object.keys((duration.thresholds ?? {}) as object).find((t) => t.startsWith('p(95)<'));
  const checks = m('checks');
  const requests = n(m('http_reqs').count) ?? 0;
  // No answer yet (stopped in the warm-up): no latency, rather than k6's zeros.
  const ms = (v: unknown) => (requests > 0 ? n(v) : undefined);
  const figures = {
    rate,
    requests,
    asked: rate * ctx.measureS,
    p50Ms: ms(duration.med),
    p95Ms: ms(duration['p(95)']),
    p99Ms: ms(duration['p(99)']),
    errorRate: n(m('http_req_failed').value) ?? 0,
    checksRate: n(checks.value),
    dropped: n(raw.metrics[`dropped_iterations{scenario:${ctx.script}}`]?.count) ?? 0,
    p95LimitMs: rule ? Number(rule.slice('p(95)<'.length)) : undefined,
    maxVUs: vus.max,
    exitCode: code,
    seconds,
    cpu: cpu.use(ctx.measureS),
  };
  const stopped = code === STOPPED || ctx.stop.aborted;
  return { ...figures, broke: stopped ? [] : judge(figures, ctx.slo, ctx.measureS), ...(stopped && { stopped: true }) };
}
