// The bundled reference target as the parts start it when TARGET_URL is unset: in-process, on a free
// loopback port, with TARGET_FAULTS etc. applied; for the latest generation with a Mailpit of its
// own next to it (its SMTP port takes the welcome mail, its API is the run's inbox), stopped with it;
// with TARGET_TLS=true over https, its certificate signed by a CA made for the run (removed with it).
// Loaded lazily, only when TARGET_URL is unset: each part's program hands core/target.ts the import.
import type { Logger } from 'pino';
import { ToolNotFound } from '../core/go-tools.ts';
import { bundledGeneration } from '../core/generation.ts';
import { startMailpit, type RunningMailpit } from '../core/mail/mailpit-process.ts';
import { SettingsError } from '../core/settings.ts';
import type { ResolvedTarget } from '../core/target.ts';
import { startTarget } from './server.ts';
import { loadTargetSettings } from './settings.ts';
import { openTargetCa, type TargetCa } from './tls.ts';

export async function startBundledTarget(logger?: Logger): Promise<ResolvedTarget> {
  const s = loadTargetSettings();
  let mail: RunningMailpit | undefined;
  const generation = bundledGeneration(s.TARGET_GENERATION);
  if (generation === 'latest')
    try {
      mail = await startMailpit();
    } catch (err) {
      if (err instanceof ToolNotFound)
        throw new SettingsError([`TARGET_GENERATION: latest needs Mailpit next to the bundled target: ${err.message}`]);
      throw err;
    }
  // TARGET_TLS=true: a CA made for this run; the caller trusts its file (core/target.ts).
  const ca: TargetCa | undefined = s.TARGET_TLS ? openTargetCa() : undefined;
  try {
    const bundled = await startTarget({
      port: 0,
      dbPath: s.TARGET_DB,
      faults: s.TARGET_FAULTS,
      tokenLifetimeS: s.TARGET_TOKEN_LIFETIME_S,
      maxRefreshS: s.TARGET_MAX_REFRESH_S,
      jwtKey: s.TARGET_JWT_KEY,
      realm: s.TARGET_REALM,
      bcryptCost: s.TARGET_BCRYPT_COST,
      generation,
      smtpUrl: mail?.smtpUrl,
      rateLimit: s.TARGET_RATE_LIMIT,
      logger,
      tls: ca,
    });
    return {
      url: bundled.url,
      bundled: true,
      inboxUrl: mail?.inboxUrl,
      generation,
      ...(s.TARGET_RATE_LIMIT ? { rateLimit: s.TARGET_RATE_LIMIT } : {}),
      ...(s.TARGET_FAULTS ? { faults: s.TARGET_FAULTS } : {}),
      ...(ca ? { caFile: ca.caFile } : {}),
      close: async () => {
        await bundled.close();
        await mail?.close();
        ca?.close();
      },
    };
  } catch (err) {
    await mail?.close();
    ca?.close();
    throw err;
  }
}
