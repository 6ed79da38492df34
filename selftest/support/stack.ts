// The real monitoring programs for the end-to-end self-test, started on free loopback ports with
// temporary data folders and stopped after: Debian's prometheus, prometheus-alertmanager and
// prometheus-pushgateway (scripts/setup.sh installs them). Their configuration is the committed one
// (deploy/prometheus, deploy/alertmanager) with loopback addresses and short intervals swapped in.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../../core/ports.ts';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const INSTALL_HINT =
  'apt-get install prometheus prometheus-alertmanager prometheus-pushgateway (npm install runs scripts/setup.sh, which installs them)';

export async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface Program {
  name: string;
  url: string;
  /** What it printed, for a failing test's message. */
  log: () => string;
  stop(): Promise<void>;
}

async function start(name: string, bin: string, args: string[], port: number): Promise<Program> {
  let log = '';
  // execa's cleanup: a test run that ends any way at all takes the program with it; a SIGTERM it
  // ignores is followed by SIGKILL after 5 s (forceKillAfterDelay).
  const child = execa(bin, args, { stdin: 'ignore', all: true, buffer: false, reject: false, forceKillAfterDelay: 5000 });
  // Not started at all: execa has no pid and resolves with the spawn error.
  if (child.pid === undefined) {
    const r = await child;
    throw r.code === 'ENOENT' ? new Error(`${bin} is not installed: ${INSTALL_HINT}`) : r;
  }
  child.all.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const program: Program = {
    name,
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await child;
    },
  };
  try {
    await until(`${name} to be ready`, async () => (await fetch(`${url}/-/ready`)).ok || undefined, 20_000);
  } catch (err) {
    await program.stop();
    throw new Error(`${(err as Error).message}\n${log.slice(-2000)}`);
  }
  return program;
}

export interface PrometheusOptions {
  dir: string;
  /** Monitor services to scrape (their base URLs). */
  monitors: string[];
  pushgateway: string;
  alertmanager: string;
  /** Scrape and rule evaluation interval. */
  interval: string;
}

/** The committed rules with every `for:` shortened, so a test sees in seconds what takes minutes. */
function testRules(dir: string, forDuration: string): string {
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  for (const f of readdirSync(join(DEPLOY, 'prometheus/rules'))) {
    const text = readFileSync(join(DEPLOY, 'prometheus/rules', f), 'utf8');
    writeFileSync(join(rulesDir, f), text.replace(/^(\s+for:) \S+$/gm, `$1 ${forDuration}`));
  }
  return rulesDir;
}

export async function startPrometheus(o: PrometheusOptions): Promise<Program> {
  const port = await freePort();
  const rulesDir = testRules(o.dir, '1s');
  const host = (u: string) => new URL(u).host;
  const config = readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')
    .replace(/(scrape_interval|evaluation_interval): \S+/g, `$1: ${o.interval}`)
    .replace('"temporal-monitor:9464"', o.monitors.map((m) => `"${host(m)}"`).join(', '))
    .replace('"pushgateway:9091"', `"${host(o.pushgateway)}"`)
    .replace('"alertmanager:9093"', `"${host(o.alertmanager)}"`)
    .replace('- rules/*.yml', `- ${rulesDir}/*.yml`);
  for (const name of ['temporal-monitor:9464', 'pushgateway:9091', 'alertmanager:9093', '- rules/*.yml'])
    if (config.includes(name)) throw new Error(`deploy/prometheus/prometheus.yml: ${name} was not replaced`);
  const file = join(o.dir, 'prometheus.yml');
  writeFileSync(file, config);
  return start(
    'prometheus',
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(o.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      // Resend firing alerts to Alertmanager every second instead of every minute.
      '--rules.alert.resend-delay=1s',
    ],
    port,
  );
}

export async function startAlertmanager(o: { dir: string; receiver: string }): Promise<Program> {
  const port = await freePort();
  const config = readFileSync(join(DEPLOY, 'alertmanager/alertmanager.yml'), 'utf8')
    .replaceAll('http://alert-receiver.invalid', o.receiver)
    .replace(/group_wait: \S+/, 'group_wait: 0s')
    .replace(/group_interval: \S+/, 'group_interval: 1s');
  const file = join(o.dir, 'alertmanager.yml');
  writeFileSync(file, config);
  return start(
    'alertmanager',
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${join(o.dir, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No cluster (it would take port 9094 on every interface).
      '--cluster.listen-address=',
    ],
    port,
  );
}

export async function startPushgateway(): Promise<Program> {
  const port = await freePort();
  return start('pushgateway', 'prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], port);
}

export interface Sample {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

/** An instant query (at now) or a range query (with `range`). Throws on a query error. */
export async function promQuery(prometheus: string, expr: string, range?: { start: number; end: number; step: number }): Promise<Sample[]> {
  const params = new URLSearchParams({
    query: expr,
    ...(range ? { start: String(range.start), end: String(range.end), step: String(range.step) } : {}),
  });
  const res = await fetch(`${prometheus}/api/v1/${range ? 'query_range' : 'query'}?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
