// Test support for the monitor: a Monitor wired to an in-process target, a temporary state folder,
// captured logs (to grep for secrets) and a webhook receiver on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MONITOR_ROOM } from './cli.ts';
import { tempDir as makeTempDir } from '../support/temp.ts';
import { createLogger } from '../../core/logger.ts';
import { parseSettings } from '../../core/settings.ts';
import { Monitor } from '../../monitors/monitor.ts';
import { monitorSettings, type MonitorSettings } from '../../monitors/settings.ts';

export const tempDir = (): string => makeTempDir('monitor-test-');

/** Debian's chromium, launched headless as the status page's tests and benchmark do. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Defaults for tests: no retries, a private state file, and time limits with room for a loaded
 *  2-core CI machine (a bcrypt login there can take a second): a test that needs a short limit
 *  (a hang) or tight latency thresholds sets its own. */
export function testSettings(dir: string, env: Record<string, string> = {}): MonitorSettings {
  return parseSettings(monitorSettings, {
    MONITOR_DB: join(dir, 'monitor.db'),
    MONITOR_STATUS_PAGE: join(dir, 'status.html'),
    ...MONITOR_ROOM,
    MONITOR_RETRY_BACKOFF_MS: '20',
    LOG_LEVEL: 'info',
    ...env,
  });
}

export interface TestMonitor {
  monitor: Monitor;
  logs: () => string;
}

export function makeMonitor(url: string, settings: MonitorSettings, key = url, inboxUrl?: string): TestMonitor {
  let logs = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  const logger = createLogger({ level: settings.LOG_LEVEL, format: 'json', destination });
  const monitor = new Monitor({ settings, url, inboxUrl, targetKey: key, targetLabel: 'selftest', logger });
  return { monitor, logs: () => logs };
}

export interface Receiver {
  url: string;
  bodies: unknown[];
  /** Status the receiver answers with (500 to play a broken webhook). */
  status: number;
  close(): Promise<void>;
}

/** A Slack-style webhook receiver on loopback that records what it is sent. */
export async function webhookReceiver(status = 200): Promise<Receiver> {
  const r = { bodies: [] as unknown[], status } as Receiver;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        r.bodies.push(JSON.parse(body));
      } catch {
        r.bodies.push(body);
      }
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000`;
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r;
}

export interface Hanging {
  url: string;
  /** Requests received (none is ever answered). */
  count: () => number;
  close(): Promise<void>;
}

/** A webhook that accepts connections and reads requests but never answers (as seen in the field). */
export async function hangingReceiver(): Promise<Hanging> {
  let count = 0;
  const server: Server = createServer((req) => {
    count++;
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000`,
    count: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Fails the test when any secret appears in any of the texts. */
export function assertNoSecrets(texts: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(texts))
    for (const s of secrets)
      if (s && s.length >= 6 && text.includes(s)) throw new Error(`a secret (${s.slice(0, 3)}…) appears in ${where}`);
}

export interface HostileTarget {
  url: string;
  close(): Promise<void>;
}

/**
 * A hostile target in front of `upstream` (the reference target): every request is forwarded, and
 * every JSON object it answers is handed to `rewrite` (changed in place) before it is sent on;
 * `answer` may answer a request itself instead (its path and body), as a broken server would.
 */
export async function rewritingProxy(
  upstream: string,
  o: {
    rewrite?: (path: string, json: Record<string, unknown>) => void;
    answer?: (path: string, body: Buffer) => { status: number; text: string } | undefined;
  },
): Promise<HostileTarget> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const own = o.answer?.(req.url ?? '', body);
    if (own) return res.writeHead(own.status, { 'content-type': 'application/json' }).end(own.text);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k))) as Record<
      string,
      string
    >;
    const up = await fetch(upstream + req.url, { method: req.method, headers, body: chunks.length ? body : undefined });
    let text = await up.text();
    try {
      const v = JSON.parse(text) as Record<string, unknown>;
      if (v && typeof v === 'object' && !Array.isArray(v) && o.rewrite) {
        o.rewrite(req.url ?? '', v);
        text = JSON.stringify(v);
      }
    } catch {
      /* not JSON: as it came */
    }
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain', date: up.headers.get('date') ?? '' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A target that adds `n` fresh keys to every JSON answer (each was a permanent series). */
export function freshKeysProxy(upstream: string, n: number): Promise<HostileTarget> {
  let seq = 0;
  return rewritingProxy(upstream, {
    rewrite: (_path, v) => {
      for (let i = 0; i < n; i++) v[`k${(seq++).toString(36)}`] = 1;
    },
  });
}
