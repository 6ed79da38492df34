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

/** The kit's own view of where its API listens (env.sh honours REAL_SERVER_PORT and the others). */
export function kitApiUrl(kit: string): string {
  return execaSync('bash', ['-c', 'source "$0/env.sh" >/dev/null && printf %s "$API_URL"', kit]).stdout.trim();
}

export async function isUp(apiUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${apiUrl}/v2/systems/check`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The signing key and realm the kit configures (config.json.in: api.jwt), for the tests that forge tokens. */
export function kitJwt(kit: string): { key: string; realm: string } {
  const cfg = JSON.parse(readFileSync(join(kit, 'config.json.in'), 'utf8')) as { api?: { jwt?: { key?: string; realm?: string } } };
  return { key: cfg.api?.jwt?.key ?? '', realm: cfg.api?.jwt?.realm ?? '' };
}

/** start.sh's one stdout line: "real server listening on <url> (mail outbox <amqp url> queue <queue>)". */
export function parseStartLine(line: string): { url: string; inboxUrl: string } | undefined {
  const m = /listening on (http:\/\/\S+) \(mail outbox (amqps?:\/\/\S+) queue ([\w.:-]+)\)/.exec(line);
  if (!m) return undefined;
  const inbox = new URL(m[2]!);
  if (m[3] !== 'email-send-queue') inbox.searchParams.set('queue', m[3]!);
  return { url: m[1]!, inboxUrl: inbox.toString() };
}
