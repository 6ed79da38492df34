// The target of a capacity search: TARGET_URL as it is, or the bundled target in a process of its own
// (its CPU measured apart from k6's; for the latest generation with a Mailpit of its own), pinned to
// the cores k6 does not use when `cpus` is given and taskset can.
import { TARGET_THREAD_POOL } from './limit.ts';
import { pin } from './cpu.ts';

export interface CapacityTarget {
  url: string;
  /** The bundled target's process. */
  pid?: number;
  /** The latest generation's inbox (the bundled target's own Mailpit). */
  inboxUrl?: string;
  /** True when the target was pinned to `cpus`. */
  pinned: boolean;
  close(): Promise<void>;
}

export async function capacityTarget(
  s: { TARGET_URL?: string; TARGET_GENERATION: string; TARGET_FAULTS?: string },
  cpus: string | undefined,
): Promise<CapacityTarget> {
  if (s.TARGET_URL) return { url: s.TARGET_URL, pinned: false, close: async () => {} };
  // The test double is loaded only when it is the target (as core/target.ts does).
  const { spawnTarget } = await import('../../reference/spawn.ts');
  const mail = s.TARGET_GENERATION === 'latest' ? await (await import('../../core/mail/mailpit-process.ts')).startMailpit() : undefined;
  try {
    const spawned = await spawnTarget({
      // The pool the physical limit counts on (load/capacity/limit.ts), whatever this shell says.
      UV_THREADPOOL_SIZE: String(TARGET_THREAD_POOL),
      TARGET_GENERATION: s.TARGET_GENERATION,
      ...(s.TARGET_FAULTS && { TARGET_FAULTS: s.TARGET_FAULTS }),
      ...(mail && { TARGET_SMTP_URL: mail.smtpUrl }),
    });
    return {
      url: spawned.url,
      pid: spawned.pid,
      inboxUrl: mail?.inboxUrl,
      pinned: cpus !== undefined && spawned.pid !== undefined && pin(spawned.pid, cpus),
      close: async () => {
        // Its store is in memory and it sends no mail worth waiting for: no graceful stop (2 s) after a Ctrl-C.
        if (spawned.pid !== undefined) process.kill(spawned.pid, 'SIGKILL');
        await spawned.close();
        await mail?.close();
      },
    };
  } catch (err) {
    await mail?.close();
    throw err;
  }
}
