// CPU of the processes a capacity step involves, read from /proc (Linux): so a search can say when the
// load generator, not the target, was the limit (k6 at its cores' ceiling, or dropping iterations
// while the target idled), and how much of the machine other processes took meanwhile. Elsewhere
// (no /proc) every figure is undefined and the report says the CPU was not measured.
import { execaSync } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux the harness runs on). */
let ticks: number | undefined;
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execaSync('getconf', ['CLK_TCK']).stdout.trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU seconds (user + system, all threads) a process has used, or undefined when it is gone. */
export function processCpuS(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine was busy (all cores: everything but idle and iowait). */
export function machineBusyS(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = v;
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** CPUs in a list as taskset and /proc write them: `0`, `1-3`, `0,2-3`. */
export function cpuCount(list: string): number {
  return list.split(',').reduce((sum, part) => {
    const [a, b] = part.split('-').map(Number);
    return sum + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

/** The CPUs a process may run on (its affinity), from /proc/<pid>/status; the machine's otherwise. */
export function allowedCpus(pid?: number): number {
  try {
    const n = cpuCount(/^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(`/proc/${pid ?? 'self'}/status`, 'utf8'))?.[1] ?? '');
    if (n > 0) return n;
  } catch {
    // no /proc
  }
  return availableParallelism();
}

/** taskset (util-linux), to pin the load generator and the target to cores of their own. */
export const canPin = (): boolean => existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');

/** Pins every thread of a running process to `cpus` (`1`, `1-3`); false when that failed. */
export function pin(pid: number, cpus: string): boolean {
  try {
    execaSync('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
    return true;
  } catch {
    return false;
  }
}

/** The cores of a machine split between the load generator (the first half) and the target (the rest). */
export function coreSplit(n = availableParallelism()): { k6: string; target: string } | undefined {
  if (n < 2) return undefined;
  const k6 = Math.floor(n / 2);
  const range = (a: number, b: number) => (a === b ? String(a) : `${a}-${b}`);
  return { k6: range(0, k6 - 1), target: range(k6, n - 1) };
}

export interface CpuSample {
  at: number;
  k6?: number;
  target?: number;
  machine?: number;
}

export interface CpuUse {
  /** Cores' worth of CPU used over the window (1 = one core fully busy). */
  k6?: number;
  target?: number;
  /** Everything else on the machine (other engineers' work, this runner). */
  others?: number;
  seconds: number;
}

/** Samples the processes' CPU every `everyMs` until stopped; `use(lastS)` is the use over the last `lastS` seconds. */
export function cpuSampler(pids: { k6?: number; target?: number }, everyMs = 250) {
  const samples: CpuSample[] = [];
  const take = () =>
    samples.push({ at: performance.now(), k6: processCpuS(pids.k6), target: processCpuS(pids.target), machine: machineBusyS() });
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(): void {
      clearInterval(timer);
      take();
    },
    /** The last sample with a k6 figure ends the window (k6 is gone after its summary). */
    use(lastS: number): CpuUse | undefined {
      const withK6 = samples.filter((s) => s.k6 !== undefined);
      const end = withK6.at(-1);
      if (!end) return undefined;
      const start = withK6.find((s) => s.at >= end.at - lastS * 1000) ?? withK6[0]!;
      const seconds = (end.at - start.at) / 1000;
      if (seconds < 0.5) return undefined;
      const rate = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : (b - a) / seconds);
      const k6 = rate(start.k6, end.k6);
      const target = rate(start.target, end.target);
      const machine = rate(start.machine, end.machine);
      const others = machine === undefined ? undefined : Math.max(0, machine - (k6 ?? 0) - (target ?? 0));
      return { k6, target, others, seconds };
    },
  };
}

/**
 * Waits until a process is (nearly) idle: under `idle` cores' worth over `windowMs`, for at most
 * `maxMs`. A step that broke leaves the target a queue (requests k6 gave up on are still worked on:
 * a login's hash once started runs to its end); the next step must not start on top of it.
 * Returns the milliseconds waited.
 */
export async function untilIdle(
  pid: number,
  o: { idle?: number; windowMs?: number; maxMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const { idle = 0.1, windowMs = 500, maxMs = 30_000 } = o;
  const t0 = performance.now();
  let before = processCpuS(pid);
  while (before !== undefined && performance.now() - t0 < maxMs && !o.signal?.aborted) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = processCpuS(pid);
    if (now === undefined || (now - before) / (windowMs / 1000) < idle) break;
    before = now;
  }
  return performance.now() - t0;
}
