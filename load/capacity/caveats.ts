// What a capacity search cannot vouch for, said with its figures: the load generator as the limit
// (k6 at its cores' ceiling, or dropping iterations while the target idled), other processes taking
// the CPU, cores shared by k6 and the target, a limit that is not known, a machine whose speed changed.

import type { CapacityReport } from './report.ts';
import type { StepFigures } from './step.ts';

/** k6 is saturated from this share of the cores it may use (it never quite shows 100 %). */
const SATURATED = 0.9;
/** A target below this much of one core was not what held the rate back (unless it was denied the CPU). */
const IDLE_TARGET = 0.7;
/** The machine is full when k6, the target and the rest use this share of all its cores. */
const FULL_MACHINE = 0.9;
/** Other processes taking more than this (cores' worth, on average) make the figures this moment's. */
const BUSY_MACHINE = 0.25;

const pct = (n: number) => `${Math.round(n * 100)}%`;

export interface CaveatContext {
  bundled: boolean;
  pinned: boolean;
  canPin: boolean;
  /** CPUs k6 may use. */
  k6Cores: number;
  /** The most VUs a step may have (LOAD_MAX_VUS, or the limit of every run). */
  vuCap: number;
  /** The machine's cores. */
  machineCores: number;
  loopbackTarget: boolean;
}

/** Why k6 dropped iterations in a step, in words: the target too slow for the VUs, the target denied the
 *  CPU by other processes, or k6 itself the limit (the target had CPU to spare). */
function droppedWhy(s: StepFigures, ctx: CaveatContext): string {
  const head = `k6 dropped ${s.dropped} iterations at ${s.rate}/s`;
  const { k6, target, others } = s.cpu ?? {};
  if (target !== undefined && target < IDLE_TARGET) {
    const used = (k6 ?? 0) + target + (others ?? 0);
    if (used >= FULL_MACHINE * ctx.machineCores)
      return `${head} while the target used ${pct(target)} of a core and other processes ${pct(others ?? 0)}: the machine was full, the target short of CPU`;
    return (
      `${head} while the target used only ${pct(target)} of a core${k6 === undefined ? '' : ` and k6 ${pct(k6)} of its ${ctx.k6Cores}`}, ` +
      "with CPU to spare: the load generator, not the target, set this limit; more k6 (LOAD_INSTANCES, the k6-operator) would find the target's"
    );
  }
  return (
    `${head} with ${s.maxVUs >= ctx.vuCap ? `all its ${s.maxVUs} VUs (LOAD_MAX_VUS, at most 500 per run)` : `its ${s.maxVUs} VUs`} busy: ` +
    `at a mean latency over ${Math.round((1000 * s.maxVUs) / s.rate)} ms they cannot carry ${s.rate}/s` +
    (s.maxVUs >= ctx.vuCap ? '; more VUs, or k6 processes (LOAD_INSTANCES, the k6-operator), would offer it' : '')
  );
}

export function caveats(r: CapacityReport, ctx: CaveatContext): string[] {
  const out: string[] = [];
  const judged = r.steps.filter((s) => !s.stopped);
  const saturated = judged.filter((s) => (s.cpu?.k6 ?? 0) >= SATURATED * ctx.k6Cores).sort((a, b) => a.rate - b.rate)[0];
  if (saturated) {
    const atKnee = r.firstBroken !== null && saturated.rate <= r.firstBroken;
    out.push(
      `k6 itself was saturated at ${saturated.rate}/s (${pct(saturated.cpu!.k6!)} of its ${ctx.k6Cores} core${ctx.k6Cores > 1 ? 's' : ''})` +
        (atKnee
          ? ": this knee is the load generator's on this machine, not the target's; run k6 on more cores or machines (LOAD_INSTANCES, the k6-operator) to find the target's"
          : '; the steps above it measured k6 as much as the target'),
    );
  }
  for (const s of judged.filter((x) => x.broke.includes('dropped'))) out.push(droppedWhy(s, ctx));
  const others = judged.map((s) => s.cpu?.others).filter((x): x is number => x !== undefined);
  const meanOthers = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length);
  if (meanOthers > BUSY_MACHINE)
    out.push(
      `other processes took ${pct(meanOthers)} of a core on average during the steps (load average before: ${r.loadAverage.join(' ')}): ` +
        "the figures are this moment's, on a shared machine",
    );
  if (ctx.bundled && !ctx.pinned)
    out.push(
      `k6 and the target shared the machine's cores (${ctx.canPin ? 'CAPACITY_PIN=false' : 'no taskset, or one core'}): every cycle k6 spent was taken from the target`,
    );
  if (!ctx.bundled)
    out.push(
      ctx.loopbackTarget
        ? "the target is on this machine but not the bundled one: its CPU is not measured, and k6's CPU is taken from it"
        : "the target's CPU is not measured (only the bundled target's is): a knee set by k6 shows as k6's CPU at its ceiling",
    );
  if (r.physicalLimit === null)
    out.push(
      r.script === 'login' && ctx.bundled
        ? 'no physical limit: the bundled target has faults switched on'
        : r.script === 'login'
          ? "no physical limit: only the bundled target's (its bcrypt hash, its cores) is known"
          : "no physical limit from first principles for credits (a token check and a read); npm run bench -- capacity sets it beside wrk's ceiling",
    );
  if (r.ratio !== null && r.ratio > 1.05)
    out.push(
      `the knee is above the physical limit: a step's ${r.step.measureS}s were too short for the queue to break the SLO (raise CAPACITY_STEP), ` +
        'or the hash was timed while the machine was busier than during the steps',
    );
  const at = r.atTargetCpu;
  if (at && r.physical && at.targetCpu < 0.85 * r.physical.parallel)
    out.push(
      `the target got at most ${pct(at.targetCpu)} of its ${r.physical.parallel} core` +
        `${r.physical.parallel > 1 ? 's' : ''} in a step that broke (at ${at.rate}/s; ` +
        `${(r.steps.find((s) => s.rate === at.rate)?.cpu?.others ?? 0) > BUSY_MACHINE ? 'other processes took the rest' : 'the CPU was not what held it back'}): ` +
        `the limit at that much CPU is ${at.perSecond.toFixed(1)}/s${at.ratio === null ? '' : `, and the knee ${at.ratio.toFixed(2)} × it`}`,
    );
  const p = r.physical;
  if (p?.hashMsBefore !== undefined && p.hashMsAfter !== undefined && Math.abs(p.hashMsAfter - p.hashMsBefore) > 0.15 * p.hashMsBefore)
    out.push(
      `the machine's speed changed during the search: one bcrypt hash took ${p.hashMsBefore.toFixed(1)} ms of CPU before and ` +
        `${p.hashMsAfter.toFixed(1)} ms after (their mean is used)`,
    );
  return out;
}
