// What every part calls to get its target: TARGET_URL when set, else the bundled reference target
// started in-process on a free loopback port (with TARGET_FAULTS etc. applied).
import type { Logger } from 'pino';
import { loadSettings, type SharedSettings } from '../core/settings.ts';
import { startTarget, type RunningTarget } from './server.ts';
import { targetSettings } from './settings.ts';

export interface ResolvedTarget {
  url: string;
  /** The bundled target, when this process started it (tests may reach into its store). */
  bundled?: RunningTarget;
  close(): Promise<void>;
}

export async function resolveTarget(shared: Pick<SharedSettings, 'TARGET_URL'>, logger?: Logger): Promise<ResolvedTarget> {
  if (shared.TARGET_URL) return { url: shared.TARGET_URL, close: async () => {} };
  const s = loadSettings(targetSettings);
  const bundled = await startTarget({
    port: 0,
    dbPath: s.TARGET_DB,
    faults: s.TARGET_FAULTS,
    tokenLifetimeS: s.TARGET_TOKEN_LIFETIME_S,
    maxRefreshS: s.TARGET_MAX_REFRESH_S,
    jwtKey: s.TARGET_JWT_KEY,
    realm: s.TARGET_REALM,
    logger,
  });
  return { url: bundled.url, bundled, close: () => bundled.close() };
}
