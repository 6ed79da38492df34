// Where the parts send their traffic: TARGET_URL, or, when it is unset, the bundled reference target
// started in this process (for the latest generation with a Mailpit next to it, whose API is then the
// run's inbox; with TARGET_TLS=true over https, with a CA of its own). The reference target is a test
// double: each part's program passes in how to load it (`() => import('../reference/bundled.ts')`),
// and it is loaded only when it is needed, so production paths (the monitor's image ships without it)
// never load it, and core/ imports nothing of it. Whichever it is, its CA (TARGET_CA_FILE, or the
// bundled target's own) is trusted from here on by this process (core/trust.ts).
import type { Logger } from 'pino';
import type { Generation } from './contract.ts';
import { SettingsError, type SharedSettings } from './settings.ts';
import { trustCaFiles } from './trust.ts';

export interface ResolvedTarget {
  url: string;
  /** True when this process started the bundled reference target. */
  bundled: boolean;
  /** The inbox of the bundled target's own Mailpit (latest generation); else MAIL_INBOX_URL applies. */
  inboxUrl?: string;
  /** The bundled target's TARGET_FAULTS, when any are switched on. */
  faults?: string;
  /** The bundled target's generation (its own setting: no probe needed). */
  generation?: Generation;
  /** The bundled target's TARGET_RATE_LIMIT (requests per hour per client), when one is set. */
  rateLimit?: number;
  /** The CA file to trust for it: TARGET_CA_FILE, or the bundled target's own when it serves TLS. */
  caFile?: string;
  close(): Promise<void>;
}

/** The bundled reference target's module, loaded lazily by whoever may need it (reference/bundled.ts). */
export type LoadBundledTarget = () => Promise<{ startBundledTarget(logger?: Logger): Promise<ResolvedTarget> }>;

export async function resolveTarget(
  shared: Pick<SharedSettings, 'TARGET_URL' | 'TARGET_CA_FILE'>,
  loadBundled: LoadBundledTarget,
  logger?: Logger,
): Promise<ResolvedTarget> {
  await trustCaFiles([shared.TARGET_CA_FILE]);
  if (shared.TARGET_URL) return { url: shared.TARGET_URL, bundled: false, caFile: shared.TARGET_CA_FILE, close: async () => {} };
  let reference: Awaited<ReturnType<LoadBundledTarget>>;
  try {
    reference = await loadBundled();
  } catch {
    throw new SettingsError(['TARGET_URL: not set, and this installation has no bundled reference target to use instead (set TARGET_URL)']);
  }
  const bundled = await reference.startBundledTarget(logger);
  await trustCaFiles([bundled.caFile]);
  return { ...bundled, caFile: bundled.caFile ?? shared.TARGET_CA_FILE };
}
