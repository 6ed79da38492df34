// Service mode: passes on a cron schedule (croner, `protect` so passes never overlap), an HTTP
// server for /metrics, /healthz and the status page, and a clean stop on SIGTERM/SIGINT.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Monitor } from './monitor.ts';

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

function healthOf(monitor: Monitor, cron: Cron, startedAt: number): { ok: boolean; body: Record<string, unknown> } {
  const [a, b] = cron.nextRuns(2);
  const intervalMs = a && b ? b.getTime() - a.getTime() : 60_000;
  const last = monitor.lastPass;
  const lastEnd = last ? last.startedAt + last.durationMs : startedAt;
  // Healthy = the scheduler keeps passing. A failing target is the checks' news, not ill health.
  const overdueMs = Math.max(3 * intervalMs, 5 * 60_000);
  const ok = monitor.busy || Date.now() - lastEnd < overdueMs;
  return {
    ok,
    body: {
      status: ok ? 'ok' : 'stalled',
      lastPass: last ? { at: new Date(last.startedAt).toISOString(), status: last.status } : null,
      running: monitor.busy,
      nextPass: cron.nextRun()?.toISOString() ?? null,
    },
  };
}

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const { monitor, logger } = o;
  const startedAt = Date.now();
  const runPass = async () => {
    try {
      await monitor.pass();
    } catch (err) {
      // A pass only throws on our own bugs (e.g. the state file vanished): log, keep the schedule.
      logger.error({ err }, 'monitor pass crashed; the next one runs on schedule');
    }
  };
  const cron = new Cron(
    o.schedule,
    { protect: () => logger.warn('previous pass still running; this tick is skipped'), catch: true },
    runPass,
  );

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET' }).end();
        } else if (path === '/metrics') {
          const text = await monitor.metrics.text();
          res.writeHead(200, { 'content-type': monitor.metrics.contentType }).end(text);
        } else if (path === '/healthz') {
          const h = healthOf(monitor, cron, startedAt);
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h.body));
        } else if (path === '/' || path === '/status' || path === '/status.html') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(monitor.statusPage());
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /, /metrics or /healthz\n');
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
