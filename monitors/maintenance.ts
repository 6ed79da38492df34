// Maintenance windows (MONITOR_MAINTENANCE): "<cron> <duration>", several separated by ";", e.g.
// "0 2 * * 0 2h; 30 22 * * 1-5 30m" (Sundays 02:00 for 2 h; weekdays 22:30 for 30 min), in the
// machine's time zone (TZ). Inside a window passes run and are recorded as usual; alerts are held
// (decided and kept owed, sent when the window ends if still true) and the status page says so.
import { Cron } from 'croner';
import { humanDuration, parseDurationS } from '../core/durations.ts';

export interface MaintenanceWindow {
  /** As the user wrote it, for messages. */
  spec: string;
  cron: Cron;
  durationS: number;
}

export interface ActiveWindow {
  spec: string;
  startMs: number;
  endMs: number;
}

/** Parses the setting; throws an Error whose message says what is wrong with which window. */
export function parseMaintenance(text: string): MaintenanceWindow[] {
  return text
    .split(';')
    .map((w) => w.trim())
    .filter(Boolean)
    .map((spec) => {
      const parts = spec.split(/\s+/);
      const durationS = parseDurationS(parts.at(-1) ?? '');
      if (parts.length < 6 || durationS === undefined || durationS <= 0)
        throw new Error(`'${spec}': expected a cron pattern and a duration, such as "0 2 * * 0 2h" (Sundays 02:00 for 2 hours)`);
      const pattern = parts.slice(0, -1).join(' ');
      try {
        return { spec, cron: new Cron(pattern, { paused: true }), durationS };
      } catch (err) {
        throw new Error(`'${spec}': '${pattern}' is not a cron pattern (${(err as Error).message})`);
      }
    });
}

/** The window `nowMs` falls in (the one ending last when windows overlap), if any. */
export function activeWindow(windows: readonly MaintenanceWindow[], nowMs = Date.now()): ActiveWindow | undefined {
  let found: ActiveWindow | undefined;
  for (const w of windows) {
    // The latest start at or before now; previousRuns looks strictly before its reference.
    const start = w.cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime();
    if (start === undefined) continue;
    const endMs = start + w.durationS * 1000;
    if (endMs > nowMs && (!found || endMs > found.endMs)) found = { spec: w.spec, startMs: start, endMs };
  }
  return found;
}

/** "maintenance until 04:00:00Z (0 2 * * 0 2h), 1h 12m left" */
export const describeWindow = (w: ActiveWindow, nowMs = Date.now()): string =>
  `maintenance window '${w.spec}' until ${new Date(w.endMs).toISOString().replace(/\.\d{3}Z$/, 'Z')} ` +
  `(${humanDuration((w.endMs - nowMs) / 1000)} left)`;

/** The next window to start after `nowMs`, if any. */
export function nextWindow(windows: readonly MaintenanceWindow[], nowMs = Date.now()): ActiveWindow | undefined {
  let found: ActiveWindow | undefined;
  for (const w of windows) {
    const start = w.cron.nextRun(new Date(nowMs))?.getTime();
    if (start !== undefined && (!found || start < found.startMs))
      found = { spec: w.spec, startMs: start, endMs: start + w.durationS * 1000 };
  }
  return found;
}
