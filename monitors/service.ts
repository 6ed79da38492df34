// Service mode: passes on a cron schedule (croner, `protect` so passes never overlap), an HTTP
// server for /metrics, /healthz, the status page and its badge (/badge.svg), and a clean stop on
// SIGTERM/SIGINT.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { badgeFor } from './badge.ts';
import type { Monitor } from './monitor.ts';
import { scheduleIntervalS } from './settings.ts';

export interface ServiceOptions {
  monitor: Monitor;
  schedule: string;
  host: string;
  port: number;
  logger: Logger;
  /** Run a pass at start instead of waiting for the first tick (default true). */
  runAtStart?: boolean;
}

export interface RunningService {
  url: string;
  cron: Cron;
  stop(): Promise<void>;
}

/** What the schedule has done, for /healthz: passes started on time, ticks skipped. */
interface Ticks {
  startedAt: number;
  /** When the latest pass started. */
  lastStart?: number;
  /** Ticks skipped since the latest pass started (a pass still running at its next tick). */
  skippedSinceStart: number;
  /** Ticks skipped before the latest pass could start (the one before it overran). */
  skippedBefore: number;
  skippedTotal: number;
}

/**
 * Healthy = passes start on schedule. `late` (503): a tick was skipped because a pass ran into it,
 * or no pass started for two intervals; `stalled` (503): no pass finished for three intervals (at
 * least 5 min). A failing target is the checks' news, not ill health; a target so slow that passes
 * overrun the schedule is both, and /healthz says so.
 */
function healthOf(monitor: Monitor, cron: Cron, t: Ticks): { ok: boolean; body: Record<string, unknown> } {
  const [a, b] = cron.nextRuns(2);
  const intervalMs = a && b ? b.getTime() - a.getTime() : 60_000;
  const now = Date.now();
  const last = monitor.lastPass;
  const lastEnd = last ? last.startedAt + last.durationMs : t.startedAt;
  const sinceStart = now - (t.lastStart ?? t.startedAt);
  // A pass started late (ticks skipped before it) counts until the next one starts on time.
  const stalled = !monitor.busy && now - lastEnd >= Math.max(3 * intervalMs, 5 * 60_000);
  // One interval's grace past the due tick: croner fires on time, a pass starts within milliseconds.
  const skipped = t.skippedSinceStart + t.skippedBefore;
  const late = skipped > 0 || sinceStart > 2 * intervalMs + 1000;
  const status = stalled ? 'stalled' : late ? 'late' : 'ok';
  const window = monitor.maintenance(now);
  return {
    ok: status === 'ok',
    body: {
      status,
      ...(late
        ? {
            late: `no pass started for ${Math.round(sinceStart / 1000)} s (schedule every ${Math.round(intervalMs / 1000)} s)${
              skipped ? `; ${skipped} tick(s) skipped while a pass was still running` : ''
            }`,
          }
        : {}),
      lastPass: last ? { at: new Date(last.startedAt).toISOString(), status: last.status, ms: Math.round(last.durationMs) } : null,
      running: monitor.busy,
      nextPass: cron.nextRun()?.toISOString() ?? null,
      skippedTicks: t.skippedTotal,
      alertsOwed: monitor.state.owedCount(monitor.timeline),
      ...(window ? { maintenanceUntil: new Date(window.endMs).toISOString() } : {}),
    },
  };
}

/** The served page reloads itself about once per pass, between 10 s and 5 min. */
function refreshS(cron: Cron): number {
  const [a, b] = cron.nextRuns(2);
  const s = a && b ? (b.getTime() - a.getTime()) / 1000 : 60;
  return Math.min(300, Math.max(10, Math.round(s)));
}

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const { monitor, logger } = o;
  const ticks: Ticks = { startedAt: Date.now(), skippedSinceStart: 0, skippedBefore: 0, skippedTotal: 0 };
  const intervalMs = scheduleIntervalS(o.schedule) * 1000;
  const skipTick = () => {
    // A pass that started less than an interval ago (the one run at start, off the schedule's grid)
    // stands for this tick: nothing is late. One that has run a whole interval is overrunning.
    if (ticks.lastStart !== undefined && Date.now() - ticks.lastStart < 0.9 * intervalMs) return;
    ticks.skippedSinceStart++;
    ticks.skippedTotal++;
    monitor.metrics.skippedTick();
    logger.warn({ skipped: ticks.skippedSinceStart }, 'previous pass still running; this tick is skipped (/healthz says late)');
  };
  const runPass = async () => {
    // A pass still running (the one at start, or one croner did not start) makes this tick a skip too.
    if (monitor.busy) return skipTick();
    ticks.lastStart = Date.now();
    // Late until a pass starts on its tick with none skipped before it.
    ticks.skippedBefore = ticks.skippedSinceStart;
    ticks.skippedSinceStart = 0;
    try {
      // Resolves once the pass is recorded; alert delivery goes on apart from it.
      await monitor.pass();
    } catch (err) {
      // A pass only throws on our own bugs (e.g. the state file vanished): log, keep the schedule.
      logger.error({ err }, 'monitor pass crashed; the next one runs on schedule');
    }
  };
  const cron = new Cron(
    o.schedule,
    {
      protect: skipTick,
      catch: true,
    },
    runPass,
  );

  const server: Server = createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split('?') as [string, string | undefined];
    void (async () => {
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET' }).end();
        } else if (path === '/metrics') {
          const text = await monitor.metrics.text();
          res.writeHead(200, { 'content-type': monitor.metrics.contentType }).end(text);
        } else if (path === '/healthz') {
          const h = healthOf(monitor, cron, ticks);
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h.body));
        } else if (path === '/' || path === '/status' || path === '/status.html') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(monitor.statusPage({ refreshS: refreshS(cron) }));
        } else if (path === '/badge.svg') {
          const b = badgeFor(monitor, new URLSearchParams(query ?? ''), monitor.o.targetLabel);
          // Never cached (GitHub's image proxy and browsers would show a stale state).
          if (b.status === 200)
            res
              .writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-cache, no-store, must-revalidate' })
              .end(b.svg);
          else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(b.text);
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /, /metrics, /healthz or /badge.svg\n');
        }
      } catch (err) {
        logger.error({ err, path }, 'monitor HTTP endpoint failed');
        if (!res.headersSent) res.writeHead(500).end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  monitor.statusUrl ??= url;
  logger.info(
    { url, schedule: o.schedule, next: cron.nextRun()?.toISOString() },
    `monitor service listening on ${url} (schedule ${o.schedule})`,
  );
  if (o.runAtStart !== false) void runPass();

  let stopped: Promise<void> | undefined;
  return {
    url,
    cron,
    stop: () =>
      (stopped ??= (async () => {
        cron.stop();
        await monitor.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
