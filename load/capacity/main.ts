// `npm run capacity -- <login|credits> [-e KEY=VALUE]...`: how much the target takes. A knee search
// (load/capacity/search.ts) of short, steady constant-arrival-rate steps of the harness's own k6
// script, within CAPACITY_BUDGET, stopped at once by Ctrl-C with what it knows; the same gate, SLO
// (LOAD_P95_MS, LOAD_MAX_ERROR_RATE, LOAD_MIN_CHECKS_RATE) and accounts as `npm run load`.
// With TARGET_URL unset the bundled target runs in a process of its own, pinned to cores apart from
// k6's (CAPACITY_PIN), and the harness knows login's physical limit there (load/capacity/limit.ts).
// Exit codes: 0 a knee was found (or every rate held), 1 not even 1/s held, 130 stopped by Ctrl-C,
// 2 bad settings, 3 no k6, 107 k6 could not run a step.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { TemporalClient } from '../../core/client.ts';
import { createLogger } from '../../core/logger.ts';
import { isLoopbackUrl } from '../../core/loopback.ts';
import { type Inbox, openInbox } from '../../core/mail/index.ts';
import { runMain, settingsEnv, targetLabel } from '../../core/settings.ts';
import { buildCriteria, LIMITS } from '../lib/settings.ts';
import { k6OrSay } from '../runner/k6.ts';
import { type AccountsFile, PoolError, prepareAccounts, privateAccountsFile, verifiedPool } from '../runner/accounts.ts';
import { allowedCpus, canPin, coreSplit, cpuCount, untilIdle } from './cpu.ts';
import { bcryptHashMs, limitAtCpu, loginLimit } from './limit.ts';
import { type CapacityTarget, capacityTarget } from './target.ts';
import { answerLine, type CapacityReport, summaryText, writeCapacityReports } from './report.ts';
import { findKnee } from './search.ts';
import { caveats } from './caveats.ts';
import { runStep, type StepFigures, StepError } from './step.ts';
import { validateCapacityRun } from './settings.ts';

await runMain(async () => {
  const { load, capacity: c, startRate } = validateCapacityRun(process.argv.slice(2), settingsEnv());
  const { script, settings: s, k6Env } = load;
  Object.assign(process.env, load.commandLine);
  const log = createLogger({ level: s.LOG_LEVEL, format: s.LOG_FORMAT, name: 'capacity' });
  const reportsDir = resolve(s.REPORTS_DIR);
  const bin = await k6OrSay(s.K6_BIN);
  if (!bin) return 3;

  // Ctrl-C (or SIGTERM): stop the step under way (k6 still writes its summary) and report what is known.
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const loadBefore = loadavg();
  const accounts = prepareAccounts(s);
  let pool: AccountsFile | undefined;
  let target: CapacityTarget | undefined;
  let inbox: Inbox | undefined;
  const exportDir = mkdtempSync(join(tmpdir(), 'hx-capacity-'));
  try {
    // The bundled target in a process of its own, pinned apart from k6 when it helps.
    const split = c.CAPACITY_PIN && !s.TARGET_URL && canPin() ? coreSplit() : undefined;
    target = await capacityTarget(s, split?.target);
    const pinned = target.pinned ? split : undefined;
    if (split && !pinned) log.warn('could not pin the target with taskset: k6 and the target share the cores');

    // One pool for every step (registered, and verified on a latest target, once), unless accounts were given.
    if (!accounts.path) {
      const api = new TemporalClient({ baseUrl: target.url, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
      const inboxUrl = target.inboxUrl ?? s.MAIL_INBOX_URL;
      inbox = s.TARGET_GENERATION === 'latest' && inboxUrl ? openInbox(inboxUrl, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES) : undefined;
      try {
        pool = privateAccountsFile(await verifiedPool(api, inbox, Number(s.LOAD_POOL_SIZE ?? 5), s.MAIL_WAIT_S * 1000));
      } catch (err) {
        if (!(err instanceof PoolError)) throw err;
        process.stderr.write(`capacity ${script}: the accounts could not be made: ${err.message}\n`);
        return 107;
      }
    }

    // The physical limit of login on the bundled target: one bcrypt hash's CPU here, the cores the target may use.
    const knownLimit = !s.TARGET_URL && script === 'login' && !s.TARGET_FAULTS;
    const hashBefore = knownLimit ? await bcryptHashMs() : undefined;
    const targetCores = target.pid !== undefined ? allowedCpus(target.pid) : undefined;

    const criteria = buildCriteria(k6Env);
    const maxVUs = Number(s.LOAD_MAX_VUS ?? LIMITS.maxVUs);
    const slo = { maxErrorRate: criteria.maxErrorRate, minChecksRate: criteria.minChecksRate };
    const label = targetLabel(s);
    const deadline = performance.now() + c.CAPACITY_BUDGET * 1000;
    // A step costs its warm-up and measured part, plus k6's start-up and set-up (the last step's is the estimate).
    let stepCost = c.CAPACITY_WARMUP + c.CAPACITY_STEP + 3;
    let p95Hint = criteria.p95Ms ?? 1000;
    let hardStop: NodeJS.Timeout | undefined;
    const steps: StepFigures[] = [];
    log.info(
      {
        target: label,
        budgetS: c.CAPACITY_BUDGET,
        startRate,
        precision: c.CAPACITY_PRECISION,
        pinned: pinned ? `k6 on CPU ${pinned.k6}, target on CPU ${pinned.target}` : 'no',
      },
      `capacity ${script}: searching for the knee (${c.CAPACITY_WARMUP}s warm-up + ${c.CAPACITY_STEP}s measured per step)`,
    );
    const result = await findKnee<StepFigures>(
      { startRate, maxRate: LIMITS.maxRate, precision: c.CAPACITY_PRECISION },
      async (rate) => {
        const t0 = performance.now();
        // A step that broke left the target a queue: the next starts once it has worked it off (the
        // bundled target: its CPU back to idle, within 30 s; another: as long as the slowest answers took).
        const last = steps.at(-1);
        if (last?.broke.length) {
          if (target!.pid !== undefined) await untilIdle(target!.pid, { signal: stop.signal });
          else await sleep(Math.min(15_000, last.p99Ms ?? 0), undefined, { signal: stop.signal }).catch(() => {});
        }
        // The budget is a hard bound: a step still running at the deadline is stopped there.
        hardStop = setTimeout(() => stop.abort(), Math.max(0, deadline - performance.now()));
        const step = await runStep(
          {
            bin,
            script,
            env: { ...k6Env, TARGET_URL: target!.url, LOAD_ACCOUNTS_FILE: pool?.path ?? accounts.path },
            warmupS: c.CAPACITY_WARMUP,
            measureS: c.CAPACITY_STEP,
            maxVUs,
            p95HintMs: p95Hint,
            slo,
            exportDir,
            k6Cpus: pinned?.k6,
            targetPid: target!.pid,
            stop: stop.signal,
          },
          rate,
        ).finally(() => clearTimeout(hardStop));
        steps.push(step);
        stepCost = (performance.now() - t0) / 1000;
        p95Hint = step.p95LimitMs ?? p95Hint;
        const verdict = step.stopped ? 'stopped' : step.broke.length ? `broke: ${step.broke.join(', ')}` : 'held';
        process.stdout.write(
          `  ${String(rate).padStart(6)}/s  p95 ${(step.p95Ms === undefined ? '-' : step.p95Ms.toFixed(1)).padStart(8)} ms  errors ${(step.errorRate * 100).toFixed(2)}%  ` +
            `dropped ${step.dropped}  ${verdict}\n`,
        );
        return step;
      },
      () => (interrupted ? 'Ctrl-C' : performance.now() + stepCost * 1000 > deadline ? `budget of ${c.CAPACITY_BUDGET}s spent` : undefined),
    );
    const hashAfter = knownLimit ? await bcryptHashMs() : undefined;
    const physical =
      hashBefore !== undefined && hashAfter !== undefined && targetCores !== undefined
        ? { ...loginLimit((hashBefore + hashAfter) / 2, targetCores), hashMsBefore: hashBefore, hashMsAfter: hashAfter }
        : undefined;
    const knee = result.held ?? null;
    // The most CPU the target got in a step that broke (it was saturated there, at what a shared
    // machine left it), and the limit at that much CPU.
    const busiest = result.steps
      .filter((x) => x.broke.length && x.cpu?.target !== undefined)
      .sort((a, b) => b.cpu!.target! - a.cpu!.target!)[0];
    const atCpu =
      physical && busiest
        ? (() => {
            const perSecond = limitAtCpu(physical, busiest.cpu!.target!);
            return { rate: busiest.rate, targetCpu: busiest.cpu!.target!, perSecond, ratio: knee === null ? null : knee / perSecond };
          })()
        : undefined;
    const report: CapacityReport = {
      script,
      target: label,
      startedAt: startedAt.toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      knee: result.outcome === 'below-min' ? 0 : knee,
      firstBroken: result.broke ?? null,
      limits: result.limits ?? [],
      outcome: result.outcome,
      ...(result.stoppedBy && { stoppedBy: result.stoppedBy }),
      precision: c.CAPACITY_PRECISION,
      physicalLimit: physical ? Math.round(physical.perSecond * 10) / 10 : null,
      ...(physical && { physical }),
      ratio: physical && knee !== null ? knee / physical.perSecond : null,
      ...(physical && atCpu && { atTargetCpu: atCpu }),
      slo: { p95Ms: result.steps.find((x) => x.p95LimitMs !== undefined)?.p95LimitMs, ...slo },
      step: { warmupS: c.CAPACITY_WARMUP, measureS: c.CAPACITY_STEP },
      ...(pinned && { pinned }),
      loadAverage: loadBefore.map((x) => Math.round(x * 100) / 100),
      caveats: [],
      steps: result.steps,
    };
    report.caveats = caveats(report, {
      bundled: !s.TARGET_URL,
      pinned: Boolean(pinned),
      canPin: canPin(),
      k6Cores: pinned ? cpuCount(pinned.k6) : allowedCpus(),
      vuCap: maxVUs,
      machineCores: availableParallelism(),
      loopbackTarget: s.TARGET_URL !== undefined && isLoopbackUrl(s.TARGET_URL),
    });
    const dir = writeCapacityReports(reportsDir, report);
    process.stdout.write(`\n${summaryText(report)}  reports: ${dir} (chart.html, capacity.json)\n`);
    log.info({ knee: report.knee, physicalLimit: report.physicalLimit, reports: dir }, answerLine(report));
    if (interrupted) return 130;
    return result.outcome === 'below-min' ? 1 : 0;
  } catch (err) {
    if (err instanceof StepError) {
      process.stderr.write(`capacity ${script}: ${err.message}\n`);
      return 107;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(exportDir, { recursive: true, force: true });
    accounts.cleanup();
    pool?.cleanup();
    await inbox?.close();
    await target?.close();
  }
});
