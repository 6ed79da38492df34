// Where the parts send their traffic: TARGET_URL, or, when it is unset, the bundled reference target
// started in this process (for the latest generation with a Mailpit next to it, whose API is then the
// run's inbox). The reference target is a test double: it is imported only here, and only
// when it is needed, so production paths (the monitor's image ships without it) never load it.
import type { Logger } from 'pino';
import type { Generation } from './contract.ts';
import { SettingsError, type SharedSettings } from './settings.ts';

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
  close(): Promise<void>;
}

export async function resolveTarget(shared: Pick<SharedSettings, 'TARGET_URL'>, logger?: Logger): Promise<ResolvedTarget> {
  if (shared.TARGET_URL) return { url: shared.TARGET_URL, bundled: false, close: async () => {} };
  let reference: typeof import('../reference/bundled.ts');
  try {
    reference = await import('../reference/bundled.ts');
  } catch {
    throw new SettingsError(['TARGET_URL: not set, and this installation has no bundled reference target to use instead (set TARGET_URL)']);
  }
  return reference.startBundledTarget(logger);
}
