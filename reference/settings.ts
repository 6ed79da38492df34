// The reference target's own settings (npm run target).
import { BCRYPT_COST } from '../core/contract.ts';
import { bundledGeneration } from '../core/generation.ts';
import { internal, parseSettings, setting, SettingsError, settingsEnv, sharedSettings } from '../core/settings.ts';
import { runCaDirProblem } from '../core/trust.ts';
import { SMTP_URL_RULES } from '../core/url.ts';
import { FAULTS, parseFaults, tlsFaultsIn, type FaultEntry } from './faults.ts';

/** The bcrypt cost of the targets npm test's proofs start (the matrix, the self-tests): bcrypt's least.
 *  They need bcrypt's answers, not its CPU: at the real server's 10 (~60 ms a hash or a login) it was a
 *  third of a Playwright run's CPU, at 4 about 1 ms. Figures (npm run bench, npm run capacity) keep 10. */
export const PROOF_BCRYPT_COST = 4;

/** TARGET_FAULTS, checked against the catalog wherever it is read (target, tests, release check). */
const faultsSetting = setting.checked((spec) => {
  try {
    parseFaults(spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
});

// What a user sets for the reference target: its faults, its generation, its key (shared). The rest
// are the test double's own knobs, set by the parts that start it (ports, store, lifetimes, mail):
// internal, not documented for users.
export const targetSettings = {
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  TARGET_FAULTS: faultsSetting.optional(),
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  TARGET_JWT_KEY: sharedSettings.TARGET_JWT_KEY,
  /** Requests per hour per client, as the real server limits them (X-RateLimit-* on every answer, 429
   *  `Limit exceeded` past it), in either generation: to watch the harness live within a limit. */
  TARGET_RATE_LIMIT: setting.int(1, 100_000_000).optional(),
  /** Serve https with a CA made for the run (reference/tls.ts): its file is printed, for TARGET_CA_FILE. */
  TARGET_TLS: sharedSettings.TARGET_TLS,
  /** The folder of a CA made by the process that starts the target (Playwright's config): the target
   *  signs with it instead of making its own. */
  TARGET_TLS_DIR: internal(setting.checked(runCaDirProblem).optional()),
  /** `npm run target`'s port (0 = any free one); the parts start theirs on a free port. */
  TARGET_PORT: internal(setting.int(0, 65535).default(8080)),
  TARGET_HOST: internal(setting.oneOf(['127.0.0.1', 'localhost', '::1']).default('127.0.0.1')),
  TARGET_DB: internal(setting.file({ memory: true }).default(':memory:')),
  /** Shortened by the matrix and the self-tests to watch tokens expire. */
  TARGET_TOKEN_LIFETIME_S: internal(setting.int(1, 30 * 86400).default(86400)),
  TARGET_MAX_REFRESH_S: internal(setting.int(1, 30 * 86400).default(86400)),
  TARGET_REALM: internal(setting.text().default('temporal-reference')),
  /** bcrypt's cost, the real server's 10 by default; npm test's proofs set PROOF_BCRYPT_COST. */
  TARGET_BCRYPT_COST: internal(setting.int(4, 31).default(BCRYPT_COST)),
  /** Latest generation: where the welcome mail goes (the parts set it to their own Mailpit). */
  TARGET_SMTP_URL: internal(setting.url(SMTP_URL_RULES).optional()),
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
        `TARGET_FAULTS: '${name}' exists only in the ${(FAULTS[name] as FaultEntry).generations!.join(', ')} generation ` +
        `(TARGET_GENERATION is ${generation})`,
    );
}

/** TARGET_FAULTS against the catalog and the generation, as problems (what the tests' config checks
 *  before it starts the bundled target: it loads this module only then). */
export function faultProblems(spec: string | undefined, generation: string, tls?: boolean): string[] {
  if (!spec) return [];
  const unknown = faultsSetting.safeParse(spec);
  if (!unknown.success) return [`TARGET_FAULTS: ${unknown.error.issues[0]?.message ?? 'not a fault list'}`];
  return [...faultGenerationProblems(spec, generation), ...(tls === undefined ? [] : faultTlsProblems(spec, tls))];
}

/** Faults of the TLS certificate asked of a target that serves plain HTTP: a problem, by name. */
export function faultTlsProblems(spec: string | undefined, tls: boolean, setting = 'TARGET_FAULTS'): string[] {
  if (!spec || tls) return [];
  const named = tlsFaultsIn(spec);
  return named.length
    ? [
        `${setting}: ${named.join(', ')} ${named.length > 1 ? 'are faults' : 'is a fault'} of the TLS certificate: set TARGET_TLS=true as well`,
      ]
    : [];
}

/** The target's settings from `env`, the faults checked against the generation and TARGET_TLS too. */
export function parseTargetSettings(env: Record<string, string | undefined>) {
  const s = parseSettings(targetSettings, env);
  const problems = [
    ...faultGenerationProblems(s.TARGET_FAULTS, bundledGeneration(s.TARGET_GENERATION)),
    ...faultTlsProblems(s.TARGET_FAULTS, s.TARGET_TLS),
  ];
  if (problems.length) throw new SettingsError(problems);
  return s;
}

/** The target's settings (from the environment and .env), checked as parseTargetSettings does. */
export const loadTargetSettings = () => parseTargetSettings(settingsEnv());
