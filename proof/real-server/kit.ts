// The real-server kit (../shared/real-server) as the real-server step drives it: whether it can run
// here, where its API listens, the key it signs with, and what its start.sh says.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';

/** Why the kit cannot run on this machine (not root and its Debian packages missing), if it cannot. */
export function cannotRunHere(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  const have = (cmd: string) => {
    try {
      execaSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = [
    ...(have('pg_createcluster') || existsSync('/usr/lib/postgresql') ? [] : ['postgresql']),
    ...(existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server') ? [] : ['rabbitmq-server']),
  ];
  return missing.length
    ? `the kit installs ${missing.join(' and ')} with apt, which needs root, and this is not root (install them, or run npm ` +
        `test as root as CI does)`
    : undefined;
}

/** How the kit runs the server: `-dev`, or as deployed (TLS with its private CA, a rate limit). */
export interface KitMode {
  mode: 'dev' | 'production';
  /** Requests per hour per client (production). */
  rateLimit: number;
}

/** The kit's environment for `mode` (start.sh restarts a running API whose mode or limit differs). */
export const kitEnv = (m: KitMode): Record<string, string> => ({ REAL_SERVER_MODE: m.mode, REAL_SERVER_RATE_LIMIT: String(m.rateLimit) });

/** The kit's own view of where its API listens and its work dir (env.sh honours REAL_SERVER_PORT and the others). */
export function kitPlaces(kit: string): { apiUrl: string; workDir: string; caFile: string } {
  const [apiUrl = '', workDir = '', caFile = ''] = execaSync('bash', [
    '-c',
    'source "$0/env.sh" >/dev/null && printf "%s\\n%s\\n%s" "$API_URL" "$W" "$CA_FILE"',
    kit,
  ]).stdout.split('\n');
  return { apiUrl: apiUrl.trim(), workDir: workDir.trim(), caFile: caFile.trim() };
}

/** The mode a running API was started in (start.sh keeps it beside its pid), if one runs. */
export function runningMode(workDir: string): KitMode | undefined {
  const file = join(workDir, 'run', 'api.mode');
  if (!existsSync(file)) return undefined;
  const [mode, limit] = readFileSync(file, 'utf8').trim().split(/\s+/);
  return mode === 'dev' || mode === 'production' ? { mode, rateLimit: Number(limit) || 600 } : undefined;
}

/** Does the API answer (curl, trusting the kit's CA for its https URL)? Costs one request of its limit. */
export function isUp(apiUrl: string, caFile?: string): boolean {
  try {
    execaSync('curl', [
      '-sf',
      '-m',
      '2',
      ...(apiUrl.startsWith('https:') && caFile ? ['--cacert', caFile] : []),
      '-o',
      '/dev/null',
      `${apiUrl}/v2/systems/check`,
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The signing key and realm the kit configures (config.json.in: api.jwt), for the tests that forge tokens. */
export function kitJwt(kit: string): { key: string; realm: string } {
  const cfg = JSON.parse(readFileSync(join(kit, 'config.json.in'), 'utf8')) as { api?: { jwt?: { key?: string; realm?: string } } };
  return { key: cfg.api?.jwt?.key ?? '', realm: cfg.api?.jwt?.realm ?? '' };
}

/** start.sh's one stdout line: "real server listening on <url> (mail outbox <amqp url> queue <queue>)", in
 *  production mode "…queue <queue>; production mode: CA certificate <file>, rate limit <n> requests per hour per client)". */
export function parseStartLine(line: string): { url: string; inboxUrl: string; caFile?: string; rateLimit?: number } | undefined {
  const m =
    /listening on (https?:\/\/\S+) \(mail outbox (amqps?:\/\/\S+) queue ([\w.:-]+)(?:; production mode: CA certificate (\S+), rate limit (\d+) requests)?/.exec(
      line,
    );
  if (!m) return undefined;
  const inbox = new URL(m[2]!);
  if (m[3] !== 'email-send-queue') inbox.searchParams.set('queue', m[3]!);
  return { url: m[1]!, inboxUrl: inbox.toString(), ...(m[4] ? { caFile: m[4], rateLimit: Number(m[5]) } : {}) };
}
