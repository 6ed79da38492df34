// latency: every request of the pass against the degraded and fail thresholds. A slow step is
// re-timed on a retry, so one slow answer does not page anyone.
import { ms, type Check } from './context.ts';

export const latency: Check = {
  name: 'latency',
  async run(ctx, attempt) {
    const { latencyDegradedMs: degraded, latencyFailMs: fail } = ctx.config;
    if (ctx.steps.size === 0) return { status: 'skipped', message: 'no request of this pass got an answer to time' };
    if (attempt > 1)
      for (const [name, step] of ctx.steps)
        if (step.ms >= degraded) {
          try {
            ctx.steps.set(name, { ...step, ms: (await step.replay()).ms });
          } catch {
            /* no answer at all: keep the slow figure */
          }
        }
    const sorted = [...ctx.steps].sort((a, b) => b[1].ms - a[1].ms);
    const shown = sorted.map(([n, s]) => `${n} ${ms(s.ms)}`).join(', ');
    const slow = sorted.filter(([, s]) => s.ms >= fail);
    if (slow.length)
      return {
        status: 'fail',
        message: `${slow.map(([n, s]) => `${n} took ${ms(s.ms)}`).join(', ')} (fail at ${ms(fail)}); all steps: ${shown}`,
      };
    const meh = sorted.filter(([, s]) => s.ms >= degraded);
    if (meh.length)
      return {
        status: 'degraded',
        message: `${meh.map(([n, s]) => `${n} took ${ms(s.ms)}`).join(', ')} (degraded at ${ms(degraded)}); all steps: ${shown}`,
      };
    return { status: 'pass', message: `all steps under ${ms(degraded)}: ${shown}` };
  },
};
