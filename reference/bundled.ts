// The bundled reference target as the parts start it when TARGET_URL is unset: in-process, on a free
// loopback port, with TARGET_FAULTS etc. applied. Loaded only through core/target.ts, lazily.
import type { Logger } from 'pino';
import { loadSettings } from '../core/settings.ts';
import type { ResolvedTarget } from '../core/target.ts';
import { startTarget } from './server.ts';
import { targetSettings } from './settings.ts';

export async function startBundledTarget(logger?: Logger): Promise<ResolvedTarget> {
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
  return { url: bundled.url, bundled: true, ...(s.TARGET_FAULTS ? { faults: s.TARGET_FAULTS } : {}), close: () => bundled.close() };
}
