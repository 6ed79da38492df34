// Settings: dotenv loads `.env`, one zod schema validates, everyone else gets a typed frozen object.
// Nothing else in the harness reads process.env.
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { DEFAULT_TIME_TOLERANCE_S, GENERATIONS } from './contract.ts';
import { isLoopbackUrl, urlHostname } from './loopback.ts';
import { INBOX_PROTOCOLS, parseOutboxUrl } from './mail/inbox.ts';

/** A bad or missing setting. Entry points print `message` and exit with code 2. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Bad settings (fix them in the environment or .env; see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

// Building blocks for every part's schema. Each describes what it expects, because that text
// is what the user reads when the value is wrong.
export const setting = {
  url: () =>
    z
      .string()
      .transform((s) => s.replace(/\/+$/, ''))
      .pipe(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.staging.example.com' }))
      .refine((u) => !URL.canParse(u) || !/\/v2$/.test(new URL(u).pathname), 'give the base URL without /v2 (the harness appends /v2/...)'),
  bool: () => z.stringbool({ error: 'expected true or false' }),
  int: (min: number, max: number) =>
    z.coerce
      .number({ error: `expected a whole number from ${min} to ${max}` })
      .int(`expected a whole number from ${min} to ${max}`)
      .min(min, `expected a whole number from ${min} to ${max}`)
      .max(max, `expected a whole number from ${min} to ${max}`),
  number: (min: number, max: number) =>
    z.coerce
      .number({ error: `expected a number from ${min} to ${max}` })
      .min(min, `expected a number from ${min} to ${max}`)
      .max(max, `expected a number from ${min} to ${max}`),
  text: () => z.string().min(1, 'expected a non-empty value'),
  list: () =>
    z.string().transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** Where verification mail is read (core/mail): a scheme core/mail/index.ts knows; an amqp(s)://
   *  outbox also by its own rules (one query parameter, queue). */
  inboxUrl: () =>
    z
      .string()
      .transform((s) => s.replace(/\/+$/, ''))
      .pipe(
        z.url({
          protocol: new RegExp(`^(${INBOX_PROTOCOLS.join('|')})$`),
          error: `expected Mailpit's HTTP API, such as http://127.0.0.1:8025, or the server's RabbitMQ outbox, such as amqp://user:password@127.0.0.1:5672/ (schemes: ${INBOX_PROTOCOLS.join(', ')})`,
        }),
      )
      .superRefine((u, ctx) => {
        const outbox = /^amqps?:/i.test(u) ? parseOutboxUrl(u) : undefined;
        if (outbox && 'problem' in outbox) ctx.addIssue({ code: 'custom', message: outbox.problem });
      }),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` }),
};

/** Settings every part shares. */
export const sharedSettings = {
  TARGET_URL: setting.url().optional(),
  TARGET_ENV: setting.text().optional(),
  ALLOW_UPGRADE: setting.bool().default(false),
  HTTP_TIMEOUT_MS: setting.int(100, 600_000).default(10_000),
  TIME_TOLERANCE_S: setting.int(0, 3600).default(DEFAULT_TIME_TOLERANCE_S),
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: setting.oneOf(['auto', 'json', 'pretty']).default('auto'),
  REPORTS_DIR: setting.text().default('reports'),
  /** Which generation of the API the target is (core/contract.ts GENERATIONS); `latest` = e-mail verification mandatory. */
  TARGET_GENERATION: setting.oneOf(GENERATIONS).default('documented'),
  /** Where the harness reads the verification mail of the accounts it makes (latest generation). */
  MAIL_INBOX_URL: setting.inboxUrl().optional(),
  /** How long to wait for a verification mail, in seconds. */
  MAIL_WAIT_S: setting.int(1, 600).default(30),
  /** true: a field the contract does not know fails the check (default: it is reported as drift). */
  CONTRACT_STRICT: setting.bool().default(false),
  /** The list of accepted target bugs (default: the harness's known-issues.json; core/known-issues.ts). */
  KNOWN_ISSUES_FILE: setting.text().optional(),
};

const SECRET_NAME = /PASSWORD|TOKEN|SECRET|KEY/;
type Env = Record<string, string | undefined>;

/** Validates `env` against `shape`. Empty strings count as unset (an empty line in .env must not defeat a default). */
export function parseSettings<S extends z.ZodRawShape>(shape: S, env: Env): Readonly<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') input[key] = v.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const got = input[name];
      // A URL with user:password@ in it (an AMQP outbox, a Mailpit behind a password) is a secret too.
      const secret = SECRET_NAME.test(name) || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(got ?? '');
      const shown = got === undefined ? 'it is not set' : secret ? 'the value given is not accepted' : `got '${got}'`;
      return `${name}: ${issue.message} (${shown})`;
    });
    throw new SettingsError(problems);
  }
  return Object.freeze(result.data) as Readonly<z.infer<z.ZodObject<S>>>;
}

let dotenvLoaded = false;
/** Loads `.env` once (without overriding the real environment) and parses `shape` from process.env. */
export function loadSettings<S extends z.ZodRawShape>(shape: S): Readonly<z.infer<z.ZodObject<S>>> {
  if (!dotenvLoaded) {
    loadDotenv({ quiet: true });
    dotenvLoaded = true;
  }
  return parseSettings(shape, process.env);
}

export type SharedSettings = Readonly<z.infer<z.ZodObject<typeof sharedSettings>>>;

/** Is the target this machine (the bundled target, or a TARGET_URL on loopback)? */
export const targetIsLocal = (s: Pick<SharedSettings, 'TARGET_URL'>): boolean => s.TARGET_URL === undefined || isLoopbackUrl(s.TARGET_URL);

/** The label for reports and alerts: TARGET_ENV, else `local` or the target's host. */
export const targetLabel = (s: Pick<SharedSettings, 'TARGET_URL' | 'TARGET_ENV'>): string =>
  s.TARGET_ENV ?? (targetIsLocal(s) ? 'local' : (urlHostname(s.TARGET_URL ?? '') ?? 'unknown'));

/** Runs a program's main; a SettingsError becomes its message on stderr and exit code 2. */
export async function runMain(main: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
