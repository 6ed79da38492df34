// A Mailpit of the harness's own: free loopback ports, a temporary database, stopped with the run.
// Started next to the bundled target of the latest generation (its SMTP port takes the target's
// mail, its HTTP API is the harness's inbox) and by the detection matrix for its latest targets.
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from '../ports.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ensureTool } from '../go-tools.ts';

export interface RunningMailpit {
  /** Its HTTP API and web UI: the MAIL_INBOX_URL of the run. */
  inboxUrl: string;
  /** Its SMTP server: the TARGET_SMTP_URL of the bundled target. */
  smtpUrl: string;
  pid: number;
  /** Its temporary database's folder, removed by close(). */
  dataDir: string;
  close(): Promise<void>;
}

/** Mailpit's command line: loopback only, no update check (no traffic out), no reverse DNS. Without
 *  `dbPath` it uses a temporary database of its own, deleted when it stops. */
export function mailpitArgs(httpPort: number, smtpPort: number, dbPath?: string): string[] {
  return [
    '--listen',
    `127.0.0.1:${httpPort}`,
    '--smtp',
    `127.0.0.1:${smtpPort}`,
    ...(dbPath ? ['--database', dbPath] : []),
    // The bundled target sends without authentication; many runs share one Mailpit in the matrix.
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    '--smtp-disable-rdns',
    '--disable-version-check',
    '--max',
    '10000',
    '--quiet',
  ];
}

const START_TIMEOUT_MS = 15_000;

async function httpReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200;
  } catch {
    return false;
  }
}
const smtpReady = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** SIGTERM, then SIGKILL after 5 s (execa's forceKillAfterDelay), and waits for the exit. */
async function stop(child: ResultPromise): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await child;
}

/** Starts Mailpit and resolves once both its HTTP API and its SMTP port answer. */
export async function startMailpit(opts: { bin?: string } = {}): Promise<RunningMailpit> {
  const bin = opts.bin ?? (await ensureTool('mailpit'));
  const dir = mkdtempSync(join(tmpdir(), 'hx-mailpit-'));
  let why = '';
  // A port taken between freePort() and Mailpit's bind makes it exit: try again with others.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [httpPort, smtpPort] = [await freePort(), await freePort()];
    // execa's cleanup: a run that ends any way at all takes its Mailpit with it.
    const child = execa(bin, mailpitArgs(httpPort, smtpPort, join(dir, `mailpit-${attempt}.db`)), {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      forceKillAfterDelay: 5000,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const inboxUrl = `http://127.0.0.1:${httpPort}`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    let ready = false;
    while (!ready && child.exitCode === null && Date.now() < deadline) {
      ready = (await httpReady(inboxUrl)) && (await smtpReady(smtpPort));
      if (!ready) await sleep(50);
    }
    if (ready) {
      let closed: Promise<void> | undefined;
      return {
        inboxUrl,
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        pid: child.pid!,
        dataDir: dir,
        close: () => (closed ??= stop(child).then(() => rmSync(dir, { recursive: true, force: true }))),
      };
    }
    await stop(child);
    why =
      child.exitCode !== null
        ? `it exited with code ${child.exitCode}: ${stderr.trim().split('\n').at(-1) ?? ''}`
        : `not ready within ${START_TIMEOUT_MS} ms`;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`Mailpit (${bin}) did not start: ${why}`);
}
