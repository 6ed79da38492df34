// Settings of `npm run capacity -- <login|credits> [-e KEY=VALUE]...`: those of `npm run load` (the same
// gate, SLO, accounts and k6, checked by the same code: load/runner/settings.ts validateLoadRun),
// and the search's own CAPACITY_*. The search sets each step's LOAD_PROFILE, LOAD_RATE,
// LOAD_DURATION, LOAD_WARMUP and LOAD_PRE_VUS itself; LOAD_MAX_VUS caps a step's VUs; LOAD_INSTANCES
// is refused (a step is one k6 process).
import type { z } from 'zod';
import { parseDurationS } from '../../core/durations.ts';
import { parseCommandLine, type ProgramInfo } from '../../core/cli.ts';
import { parseSettings, SettingsError, setting } from '../../core/settings.ts';
import { LIMITS, type ScriptName } from '../lib/settings.ts';
import { LOAD_PROGRAM, type LoadRun, loadSettingsShape, SCRIPTS, validateLoadRun } from '../runner/settings.ts';

const duration = (min: number, max: number) =>
  setting.parsed((v) => {
    const s = parseDurationS(v);
    return s === undefined || s < min || s > max
      ? { problem: `expected a duration such as ${min || 1}s, 30s or 2m, from ${min}s to ${max / 60}m` }
      : { value: s };
  });

export const capacityOnlyShape = {
  /** The whole search, steps, k6's start-up and set-up included. */
  CAPACITY_BUDGET: duration(10, LIMITS.maxDurationS).default(180),
  /** The measured part of each step. */
  CAPACITY_STEP: duration(2, 600).default(8),
  /** Each step's warm-up at its rate before the measured part (not counted). */
  CAPACITY_WARMUP: duration(0, 600).default(3),
  /** The first rate tried, requests per second (default: login 4, credits 500). */
  CAPACITY_START_RATE: setting.int(1, LIMITS.maxRate).optional(),
  /** The search ends when the last rate that held and the first that broke are this close (relative). */
  CAPACITY_PRECISION: setting.number(0.01, 0.5).default(0.05),
  /** Pin k6 and the bundled target to cores of their own with taskset (Linux, 2 cores or more). */
  CAPACITY_PIN: setting.bool().default(true),
};

export const capacitySettingsShape = { ...loadSettingsShape, ...capacityOnlyShape };
export type CapacitySettings = Readonly<z.infer<z.ZodObject<typeof capacityOnlyShape>>>;

export const START_RATES: Record<ScriptName, number> = { login: 4, credits: 500 };
export const CAPACITY_USAGE = 'usage: npm run capacity -- <login|credits> [-e KEY=VALUE]... (settings: docs/load.md, "Capacity")';

export const CAPACITY_PROGRAM = {
  command: 'npm run capacity',
  summary:
    'finds the knee of login or credits: short steady k6 steps at growing constant arrival rates until the SLO breaks, then ' +
    'a bisection, bounded in time (the bundled reference target when TARGET_URL is unset)',
  usage: ['-- <login|credits> [-e KEY=VALUE]...'],
  options: {
    env: {
      type: 'string',
      short: 'e',
      multiple: true,
      value: 'KEY=VALUE',
      description: "a setting for this search (CAPACITY_*), or one of npm run load's (its gate, SLO and accounts)",
    },
  },
  positionals: true,
  settings: capacitySettingsShape,
  settingsFlag: '-e',
  exits:
    '0 a knee found, 1 none (the first rate tried already broke), 2 bad settings, 3 k6 missing, 107 a step could not run, ' +
    '130 stopped by Ctrl-C (with what it knew)',
  examples: [
    'npm run capacity -- login                  # against the bundled target, with its physical limit',
    'npm run capacity -- credits -e CAPACITY_BUDGET=2m -e LOAD_P95_MS=50',
  ],
  notes: [
    'Reports: REPORTS_DIR/capacity/<time>-<script>/ (capacity.json, summary.txt, chart.html). More: docs/load.md, "Capacity".',
    `Like npm run load: ${LOAD_PROGRAM.notes[0]}`,
  ],
} satisfies ProgramInfo;

export interface CapacityRun {
  load: LoadRun;
  capacity: CapacitySettings;
  startRate: number;
}

/** Everything `npm run capacity` checks before it starts anything (exit 2, named). */
export function validateCapacityRun(argv: readonly string[], baseEnv: Record<string, string | undefined>): CapacityRun {
  const { values, positionals, after } = parseCommandLine(CAPACITY_PROGRAM, argv);
  if (after.length)
    throw new SettingsError(['npm run capacity: takes no k6 flags (each step is a k6 run the search sets up)', CAPACITY_USAGE]);
  const script = positionals[0] as ScriptName | undefined;
  if (!script || !SCRIPTS.includes(script) || positionals.length > 1)
    throw new SettingsError(['script: expected login or credits', CAPACITY_USAGE]);
  // -e CAPACITY_*=… are the search's; the rest go to npm run load's own checks, gate included.
  const pairs = (values.env as unknown as string[] | undefined) ?? [];
  const ours = pairs.filter((p) => p.includes('=') && p.slice(0, p.indexOf('=')) in capacityOnlyShape);
  const load = validateLoadRun([script, ...pairs.filter((p) => !ours.includes(p)).flatMap((p) => ['-e', p])], baseEnv);
  const given = Object.fromEntries(ours.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  parseSettings(capacityOnlyShape, baseEnv);
  const capacity = parseSettings(capacityOnlyShape, { ...baseEnv, ...given });
  if (capacity.CAPACITY_WARMUP + capacity.CAPACITY_STEP > capacity.CAPACITY_BUDGET)
    throw new SettingsError([
      `CAPACITY_BUDGET: ${capacity.CAPACITY_BUDGET}s leaves no room for one step (CAPACITY_WARMUP + CAPACITY_STEP = ` +
        `${capacity.CAPACITY_WARMUP + capacity.CAPACITY_STEP}s)`,
    ]);
  if (load.settings.LOAD_INSTANCES > 1)
    throw new SettingsError(['LOAD_INSTANCES: npm run capacity runs each step as one k6 process (pinned to its cores); unset it']);
  Object.assign(load.commandLine, given);
  return { load, capacity, startRate: capacity.CAPACITY_START_RATE ?? START_RATES[script] };
}
