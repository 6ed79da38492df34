// Test support for the monitor: a Monitor wired to an in-process target, a temporary state folder,
// captured logs (to grep for secrets) and a webhook receiver on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
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
    MONITOR_RETRIES: '0',
    MONITOR_RETRY_BACKOFF_MS: '20',
    HTTP_TIMEOUT_MS: '15000',
    MONITOR_LATENCY_DEGRADED_MS: '8000',
    MONITOR_LATENCY_FAIL_MS: '12000',
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
