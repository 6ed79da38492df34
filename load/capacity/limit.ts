// What the bundled target can do at most, from first principles: every login is one bcrypt comparison
// at cost 10 (reference/routes.ts, reference/bcrypt.ts), done on libuv's thread pool, so
//   logins per second ≤ min(cores the target may use, threads of the pool) ÷ (time of one hash here).
// The rest of a login (HTTP, SQLite, signing the JWT) is a few per cent of the hash, so the knee can
// approach this limit but not pass it. Only the bundled target's is known: any other target's
// hashing, cores and pool are its own.
import { BCRYPT_COST } from '../../core/contract.ts';

/** libuv's thread pool, which the bundled target is started with (UV_THREADPOOL_SIZE, its default). */
export const TARGET_THREAD_POOL = 4;

/**
 * CPU milliseconds of one bcrypt comparison at the API's cost on this machine, the median of `samples`:
 * its cost, whatever else runs (on a quiet machine, its wall time too; on a busy one the wall time
 * counts the waits for a core, which the physical limit must not).
 */
export async function bcryptHashMs(samples = 7): Promise<number> {
  const { default: bcrypt } = await import('bcrypt');
  const password = 'capacity-limit';
  const hash = bcrypt.hashSync(password, bcrypt.genSaltSync(BCRYPT_COST, 'a'));
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.cpuUsage();
    bcrypt.compareSync(password, hash);
    const used = process.cpuUsage(t0);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export interface PhysicalLimit {
  /** Logins per second the target cannot exceed. */
  perSecond: number;
  /** CPU time of one hash. */
  hashMs: number;
  /** Hashes that can run at once: min(cores, pool). */
  parallel: number;
  cores: number;
}

export function loginLimit(hashMs: number, cores: number): PhysicalLimit {
  const parallel = Math.min(cores, TARGET_THREAD_POOL);
  return { perSecond: (parallel * 1000) / hashMs, hashMs, parallel, cores };
}

/** The limit at the CPU the target actually got (cores' worth, from /proc): on a shared machine,
 *  other processes take part of its cores, and it can hash only as fast as the CPU it is given. */
export const limitAtCpu = (limit: PhysicalLimit, targetCpu: number): number => (Math.min(targetCpu, limit.parallel) * 1000) / limit.hashMs;
