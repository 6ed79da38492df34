// Settings: dotenv loads `.env`, one zod schema validates, everyone else gets a typed frozen object.
// Nothing else in the harness reads process.env.
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_TIME_TOLERANCE_S, GENERATION_CHOICES } from './contract.ts';
import { isLoopbackUrl, urlHostname } from './loopback.ts';
import { DEFAULT_MAX_BODY_BYTES } from './http.ts';
import { INBOX_URL_RULES, parseOutboxUrl } from './mail/inbox.ts';
import { SettingsError } from './settings-error.ts';
import { addKnownSecret } from './redact.ts';
import { isSymlink } from './safe-write.ts';
import { readCaCertificates } from './trust.ts';
import { checkUrl, TARGET_URL_RULES, type UrlRules } from './url.ts';

/** A bad or missing setting (core/settings-error.ts, which the k6 side loads too). Entry points print
 *  `message` and exit with code 2. */
export { SettingsError } from './settings-error.ts';

/** `-h`/`--help` was asked for (core/cli.ts): entry points print `text` on stdout and exit 0, before any work. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

// What a setting is, for the error text and for the self-test that tries every setting with bad
// values (selftest/core/settings-bad-values.test.ts derives its cases from this, so a setting added
// anywhere is covered). Kept as zod metadata, so it survives .refine() and is read through
// .optional() and .default().
export type SettingKind =
  | { kind: 'url'; rules: UrlRules }
  | { kind: 'int' | 'number'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum' | 'list'; values: readonly string[] }
  /** Free text: anything non-empty is fine. */
  | { kind: 'text' }
  /** Text with rules of its own (a cron pattern, a fault list, a k6 duration): nonsense is refused. */
  | { kind: 'checked' }
  /** A folder the program writes into; a file it writes; a file it reads. */
  | { kind: 'dir' }
  | { kind: 'file'; memory?: boolean }
  | { kind: 'input' };
export type SettingMeta = SettingKind & {
  /** Never quoted in an error (a password, a key, a webhook URL: its path is the secret). */
  secret?: boolean;
};
export const settingInfo = z.registry<SettingMeta>();

/** The metadata of a setting's schema, through .optional() and .default(). */
export function describeSetting(schema: z.ZodType): SettingMeta | undefined {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return settingInfo.get(s);
}

const internalSettings = new WeakSet<object>();

/** A setting only the harness's own code and self-tests set (a port it chose, a knob of the reference
 *  target, a limit users never need): it works like any other, but it is left out of the documented
 *  surface (.env.example, docs/settings.md), which selftest/core/settings-documented.test.ts keeps to the rest. */
export function internal<T extends z.ZodType>(schema: T): T {
  internalSettings.add(schema);
  return schema;
}
export const isInternal = (schema: object): boolean => internalSettings.has(schema);

const tagged = <T extends z.ZodType>(schema: T, meta: SettingMeta): T => {
  settingInfo.add(schema, meta);
  return schema;
};

const rangeText = (what: string, min: number, max: number) => `expected ${what} from ${min} to ${max}`;

/** Where a path can be written: the nearest folder that exists must be a writable folder. */
function writableProblem(path: string, expect: 'dir' | 'file'): string | undefined {
  const abs = resolve(path);
  // A file is never written through a link (it could point anywhere: /etc/passwd was chmod-ed once).
  if (expect === 'file' && isSymlink(abs))
    return "it is a symbolic link, and the harness writes no file through a link (give the real file's path)";
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (expect === 'dir' && !st.isDirectory()) return 'expected a folder, but it names a file';
    if (expect === 'file' && st.isDirectory()) return 'expected a file, but it names a folder';
    try {
      accessSync(abs, constants.W_OK);
    } catch {
      return 'it is not writable';
    }
    return undefined;
  }
  let dir = dirname(abs);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) return 'it cannot be created: a part of its path is a file, not a folder';
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return 'it cannot be created: the folder it would go in is not writable';
  }
  return undefined;
}

// Building blocks for every part's schema. Each describes what it expects, because that text
// is what the user reads when the value is wrong.
export const setting = {
  /** A URL (http(s), or the schemes `rules` name), parsed once (WHATWG, core/url.ts) and given on as its canonical form. */
  url: (rules: UrlRules = {}, o: { secret?: boolean } = {}) =>
    tagged(
      z.string().transform((raw, ctx) => {
        const r = checkUrl(raw, rules);
        if ('problem' in r) {
          ctx.addIssue({ code: 'custom', message: r.problem });
          return z.NEVER;
        }
        return r.value;
      }),
      { kind: 'url', rules, secret: o.secret },
    ),
  bool: () => tagged(z.stringbool({ error: 'expected true or false' }), { kind: 'bool' }),
  // Digits only: Number() would also take 0x10, 1e3 and ' 5 '.
  int: (min: number, max: number) =>
    tagged(
      z
        .string()
        .refine((v) => /^[+-]?\d{1,16}$/.test(v) && Number(v) >= min && Number(v) <= max, rangeText('a whole number', min, max))
        .transform(Number),
      { kind: 'int', min, max },
    ),
  number: (min: number, max: number) =>
    tagged(
      z
        .string()
        .refine(
          (v) => /^[+-]?(\d{1,16}(\.\d{0,16})?|\.\d{1,16})$/.test(v) && Number(v) >= min && Number(v) <= max,
          rangeText('a number', min, max),
        )
        .transform(Number),
      { kind: 'number', min, max },
    ),
  text: (o: { secret?: boolean } = {}) => tagged(z.string().min(1, 'expected a non-empty value'), { kind: 'text', secret: o.secret }),
  /** Text that `check` judges: it returns what is wrong, or undefined. Without `check`, the program checks it later, before any traffic. */
  checked: (check?: (value: string) => string | undefined) =>
    tagged(
      z.string().superRefine((v, ctx) => {
        const problem = check?.(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
      { kind: 'checked' },
    ),
  /** Text that `parse` turns into a value (a duration, a list of maintenance windows), or refuses
   *  with what is wrong; the same kind as `checked` for the bad-values self-test. */
  parsed: <T>(parse: (value: string) => { value: T } | { problem: string }) =>
    tagged(
      z.string().transform((v, ctx) => {
        const r = parse(v);
        if ('problem' in r) {
          ctx.addIssue({ code: 'custom', message: r.problem });
          return z.NEVER;
        }
        return r.value;
      }),
      { kind: 'checked' },
    ),
  /** A folder the program writes into (created when missing). */
  dir: () =>
    tagged(
      z.string().superRefine((v, ctx) => {
        const problem = writableProblem(v, 'dir');
        if (problem) ctx.addIssue({ code: 'custom', message: `expected a folder it can write into: ${problem}` });
      }),
      { kind: 'dir' },
    ),
  /** A file the program writes (its folder is created when missing); `memory` also takes ':memory:' (SQLite). */
  file: (o: { memory?: boolean } = {}) =>
    tagged(
      z.string().superRefine((v, ctx) => {
        if (o.memory && v === ':memory:') return;
        const problem = writableProblem(v, 'file');
        if (problem) ctx.addIssue({ code: 'custom', message: `expected a file it can write: ${problem}` });
      }),
      { kind: 'file', memory: o.memory },
    ),
  /** A file the program reads. */
  input: () =>
    tagged(
      z.string().superRefine((v, ctx) => {
        try {
          if (!statSync(v).isFile()) throw new Error();
          accessSync(v, constants.R_OK);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'expected a readable file, and there is none there' });
        }
      }),
      { kind: 'input' },
    ),
  /** A file of PEM CA certificates the program reads (each certificate parsed, so a key or a DER file is refused). */
  caFile: () =>
    tagged(
      z.string().superRefine((v, ctx) => {
        const r = readCaCertificates(v);
        if ('problem' in r) ctx.addIssue({ code: 'custom', message: r.problem });
      }),
      { kind: 'input' },
    ),
  list: <const T extends readonly [string, ...string[]]>(values: T) =>
    tagged(
      z
        .string()
        .transform((s) =>
          s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        )
        .pipe(
          z
            .array(z.enum(values, { error: `expected a comma-separated list of ${values.join(', ')}` }))
            .min(1, `expected a comma-separated list of ${values.join(', ')}`),
        ),
      { kind: 'list', values },
    ),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    tagged(z.enum(values, { error: `expected one of ${values.join(', ')}` }), { kind: 'enum', values }),
};

/** Settings every part shares. */
export const sharedSettings = {
  TARGET_URL: setting.url(TARGET_URL_RULES).optional(),
  TARGET_ENV: setting.text().optional(),
  /** Faults for the bundled reference target (checked against its catalog where it starts). Given
   *  with TARGET_URL it would mean nothing, so every part refuses the pair (sharedRules). */
  TARGET_FAULTS: setting.checked().optional(),
  /** The bundled reference target serves https, with a CA made for the run (reference/tls.ts), which
   *  every part trusts. Like TARGET_FAULTS, it means nothing with TARGET_URL (sharedRules). */
  TARGET_TLS: setting.bool().default(false),
  ALLOW_UPGRADE: setting.bool().default(false),
  HTTP_TIMEOUT_MS: setting.int(100, 600_000).default(10_000),
  /** The largest answer body read (a body with no end must not take the process's memory). */
  HTTP_MAX_BODY_BYTES: setting.int(1024, 1024 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  TIME_TOLERANCE_S: setting.int(0, 3600).default(DEFAULT_TIME_TOLERANCE_S),
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: setting.oneOf(['auto', 'json', 'pretty']).default('auto'),
  REPORTS_DIR: setting.dir().default('reports'),
  /** Which generation of the API the target is (core/contract.ts GENERATIONS; `latest` = e-mail verification
   *  mandatory), or `auto`: told by the first account the run makes (core/generation.ts). */
  TARGET_GENERATION: setting.oneOf(GENERATION_CHOICES).default('auto'),
  /** Where the harness reads the verification mail of the accounts it makes (latest generation). */
  MAIL_INBOX_URL: setting
    .url(INBOX_URL_RULES)
    .superRefine((url, ctx) => {
      // An outbox URL also by its own rules (one query parameter, queue; the virtual host).
      const outbox = /^amqps?:/.test(url) ? parseOutboxUrl(url) : undefined;
      if (outbox && 'problem' in outbox) ctx.addIssue({ code: 'custom', message: outbox.problem });
    })
    .optional(),
  /** How long to wait for a verification mail, in seconds. */
  MAIL_WAIT_S: setting.int(1, 600).default(30),
  /** true: a field the contract does not know fails the check (default: it is reported as drift). */
  CONTRACT_STRICT: setting.bool().default(false),
  /** The target's signing key: the bundled target signs with it; the tests forge validly signed
   *  (expired, old-origin) tokens with it. */
  TARGET_JWT_KEY: setting.text().optional(),
  /** The list of accepted target bugs (default: the harness's known-issues.json; core/known-issues.ts). */
  KNOWN_ISSUES_FILE: setting.input().optional(),
  /** Set by GitHub Actions: the step's Markdown summary, where the release check and a one-shot monitor
   *  pass append theirs. */
  GITHUB_STEP_SUMMARY: setting.file().optional(),
  /** The CA (PEM) that signed the target's TLS certificate, trusted by every part in addition to the
   *  system's roots (core/trust.ts): a staging behind a private CA. */
  TARGET_CA_FILE: setting.caFile().optional(),
};

/** Rules across settings that hold for every part: applied by parseSettings whenever a shape has
 *  both settings, so no program can forget them. */
const SHARED_RULES: { needs: readonly string[]; problem: (v: Record<string, unknown>) => string | undefined }[] = [
  {
    needs: ['TARGET_URL', 'TARGET_FAULTS'],
    problem: (v) =>
      v.TARGET_URL !== undefined && v.TARGET_FAULTS !== undefined
        ? 'TARGET_FAULTS: only the bundled reference target takes faults, and TARGET_URL names another target; unset ' +
          'TARGET_FAULTS or TARGET_URL'
        : undefined,
  },
  {
    needs: ['TARGET_URL', 'TARGET_TLS'],
    problem: (v) =>
      v.TARGET_URL !== undefined && v.TARGET_TLS === true
        ? 'TARGET_TLS: only the bundled reference target takes it (it then serves https with a CA of its own), and TARGET_URL ' +
          'names another target: an https TARGET_URL needs no switch (TARGET_CA_FILE names its CA when it is a private one); unset TARGET_TLS'
        : undefined,
  },
];

const SECRET_NAME = /PASSWORD|TOKEN|SECRET|KEY|WEBHOOK/;
/** Longest value a setting takes: a longer one is a mistake (a file pasted in), not a setting. */
export const MAX_SETTING_LENGTH = 4096;
type Env = Record<string, string | undefined>;

/** What an error may say about the value given: never a secret, never a URL with credentials or a
 *  query in it, never more than a line. */
function shownValue(name: string, schema: z.ZodType, got: string | undefined): string {
  if (got === undefined) return 'it is not set';
  const meta = describeSetting(schema);
  if (meta?.secret || SECRET_NAME.test(name)) return 'the value is not shown: it is a secret';
  if (meta?.kind === 'url' || /^[a-z][a-z0-9+.-]*:/i.test(got)) {
    if (/@|\?|#/.test(got)) return 'the value is not shown: it may hold a password or a token';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (got.length > 80 || /[\u0000-\u001f\u007f]/.test(got)) return `the value given, ${got.length} characters, is not shown`;
  return `got '${got}'`;
}

/** Settings whose whole value is a secret by their name, whatever their schema says. */
const SECRET_VALUE_NAME = /(PASSWORD|SECRET|_KEY)$/;

/** Every secret a setting holds becomes one the redactor looks for in this process (core/redact.ts):
 *  a secret setting's value, and the password of any URL given with credentials (a Pushgateway's, an
 *  inbox's), alone and as the `user:password` pair a Basic header base64-encodes. */
function rememberSecrets(shape: z.ZodRawShape, input: Record<string, string>): void {
  for (const [name, value] of Object.entries(input)) {
    const meta = describeSetting(shape[name] as z.ZodType);
    if (meta?.secret || SECRET_VALUE_NAME.test(name)) addKnownSecret(value);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || !URL.canParse(value)) continue;
    const url = new URL(value);
    if (!url.password) continue;
    const decode = (t: string) => {
      try {
        return decodeURIComponent(t);
      } catch {
        return t;
      }
    };
    addKnownSecret(decode(url.password));
    addKnownSecret(`${decode(url.username)}:${decode(url.password)}`);
  }
}

/** Validates `env` against `shape`. Empty strings count as unset (an empty line in .env must not defeat a default). */
export function parseSettings<S extends z.ZodRawShape>(shape: S, env: Env): Readonly<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string> = {};
  const problems: string[] = [];
  for (const key of Object.keys(shape)) {
    const v = env[key];
    if (v === undefined || v.trim() === '') continue;
    const value = v.trim();
    const schema = shape[key] as z.ZodType;
    if (value.length > MAX_SETTING_LENGTH)
      problems.push(`${key}: expected at most ${MAX_SETTING_LENGTH} characters (${shownValue(key, schema, value)})`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
    else if (/[\u0000-\u001f\u007f]/.test(value))
      problems.push(`${key}: expected one line without control characters (${shownValue(key, schema, value)})`);
    else input[key] = value;
  }
  rememberSecrets(shape, input);
  const result = z.object(shape).safeParse(input);
  if (!result.success)
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '?');
      problems.push(`${name}: ${issue.message} (${shownValue(name, shape[name] as z.ZodType, input[name])})`);
    }
  if (result.success)
    for (const rule of SHARED_RULES)
      if (rule.needs.every((k) => k in shape)) {
        const p = rule.problem(result.data as Record<string, unknown>);
        if (p) problems.push(p);
      }
  if (problems.length) throw new SettingsError(problems);
  return Object.freeze(result.data) as Readonly<z.infer<z.ZodObject<S>>>;
}

let dotenvLoaded = false;
/** The environment settings are read from: process.env, with `.env` loaded into it once (it never
 *  overrides a variable that is set). */
export function settingsEnv(): Env {
  if (!dotenvLoaded) {
    loadDotenv({ quiet: true });
    dotenvLoaded = true;
  }
  return process.env;
}

/** Loads `.env` once and parses `shape` from the environment. */
export function loadSettings<S extends z.ZodRawShape>(shape: S): Readonly<z.infer<z.ZodObject<S>>> {
  return parseSettings(shape, settingsEnv());
}

export type SharedSettings = Readonly<z.infer<z.ZodObject<typeof sharedSettings>>>;

/** Is the target this machine (the bundled target, or a TARGET_URL on loopback)? */
export const targetIsLocal = (s: Pick<SharedSettings, 'TARGET_URL'>): boolean => s.TARGET_URL === undefined || isLoopbackUrl(s.TARGET_URL);

/** The label for reports and alerts: TARGET_ENV, else `local` or the target's host. */
export const targetLabel = (s: Pick<SharedSettings, 'TARGET_URL' | 'TARGET_ENV'>): string =>
  s.TARGET_ENV ?? (targetIsLocal(s) ? 'local' : (urlHostname(s.TARGET_URL ?? '') ?? 'unknown'));

/** Runs a program's main; a SettingsError becomes its message on stderr and exit code 2, HelpRequested its
 *  text on stdout and exit 0. */
export async function runMain(main: () => Promise<number | undefined>): Promise<void> {
  // `npm run target -- --list-faults | head`: the reader went away. Stop quietly, as Unix tools do, not with a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(process.exitCode ?? 0);
    });
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    exitOnUsage(err);
    throw err;
  }
}

/** What every program does with a request for help (stdout, exit 0) and a bad setting or command line
 *  (stderr, exit 2: one sentence, no stack); any other error is left to its caller. */
export function exitOnUsage(err: unknown): void {
  if (err instanceof HelpRequested) {
    process.stdout.write(err.text);
    process.exit(0);
  }
  if (err instanceof SettingsError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
