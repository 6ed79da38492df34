// The reference target's own settings (npm run target).
import { parseSettings, setting, SettingsError, settingsEnv, sharedSettings } from '../core/settings.ts';
import { SMTP_URL_RULES } from '../core/url.ts';
import { FAULTS, parseFaults, type FaultEntry } from './faults.ts';

/** TARGET_FAULTS, checked against the catalog wherever it is read (target, tests, release check). */
const faultsSetting = setting.checked((spec) => {
  try {
    parseFaults(spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
});

export const targetSettings = {
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  TARGET_PORT: setting.int(0, 65535).default(8080),
  TARGET_HOST: setting.oneOf(['127.0.0.1', 'localhost', '::1']).default('127.0.0.1'),
  TARGET_DB: setting.file({ memory: true }).default(':memory:'),
  TARGET_FAULTS: faultsSetting.optional(),
  TARGET_TOKEN_LIFETIME_S: setting.int(1, 30 * 86400).default(86400),
  TARGET_MAX_REFRESH_S: setting.int(1, 30 * 86400).default(86400),
  TARGET_JWT_KEY: setting.text().optional(),
  TARGET_REALM: setting.text().default('temporal-reference'),
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  /** Latest generation: where the welcome mail goes (the parts set it to their own Mailpit). */
  TARGET_SMTP_URL: setting.url(SMTP_URL_RULES).optional(),
};

/** Faults that exist only in another generation than TARGET_GENERATION's: a problem, by name. */
export function faultGenerationProblems(spec: string | undefined, generation: string): string[] {
  if (!spec) return [];
  return [...parseFaults(spec).keys()]
    .filter((name) => {
      const g = (FAULTS[name] as FaultEntry).generations;
      return g !== undefined && !(g as readonly string[]).includes(generation);
    })
    .map(
      (name) =>
        `TARGET_FAULTS: '${name}' exists only in the ${(FAULTS[name] as FaultEntry).generations!.join(', ')} generation (TARGET_GENERATION is ${generation})`,
    );
}

/** The target's settings from `env`, the faults checked against the generation too. */
export function parseTargetSettings(env: Record<string, string | undefined>) {
  const s = parseSettings(targetSettings, env);
  const problems = faultGenerationProblems(s.TARGET_FAULTS, s.TARGET_GENERATION);
  if (problems.length) throw new SettingsError(problems);
  return s;
}

/** The target's settings (from the environment and .env), checked as parseTargetSettings does. */
export const loadTargetSettings = () => parseTargetSettings(settingsEnv());
