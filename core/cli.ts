// Every program's command line, read one way: node:util parseArgs (strict) behind this helper, which
// adds what parseArgs lacks: `-h/--help` (usage, options, the settings the program reads, examples;
// exit 0 before any work), and for a flag it does not know a suggestion: the nearest option, or the
// setting a flag-like name stands for (`--profile smoke` → `-e LOAD_PROFILE=smoke`, `--target-url x`
// → `TARGET_URL=x npm run monitor`). The settings section is derived from the programs' zod schemas
// (core/settings.ts registry: what each takes, its default) and .env.example (what each is for, kept
// equal to the registry by selftest/core/settings-documented.test.ts), so help cannot drift from either.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { describeSetting, exitOnUsage, HelpRequested, isInternal, SettingsError } from './settings.ts';

export interface OptionInfo {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help (`--only <a,b>`). */
  value?: string;
  description: string;
}

export interface ProgramInfo {
  /** How users run it: `npm run monitor`. */
  command: string;
  /** What it does, in one line. */
  summary: string;
  /** The arguments after the command (`[-- --once [--json]]`); one line per form. */
  usage: string[];
  options?: Record<string, OptionInfo>;
  /** Positional arguments are taken (the load runner's script, the tools asked for). */
  positionals?: boolean;
  /** The settings it reads (the schemas it parses). */
  settings?: z.ZodRawShape;
  /** A line after its own settings (the release check: each part reads its own too). */
  settingsNote?: string;
  /** The flag that carries settings on its command line (`-e` for the load runner, as k6's). */
  settingsFlag?: string;
  /** Flags it once had, or that users bring from elsewhere, and what to write instead (a whole
   *  sentence: `did you mean …?`). Flags that name a setting need no entry: they are suggested as one. */
  renamed?: Record<string, string>;
  /** What its exit codes mean. */
  exits?: string;
  examples?: string[];
  /** Lines at the end. */
  notes?: string[];
}

const BAD = 'Bad command line';
/** Help lines longer than this put a setting's description under it. */
const HELP_WIDTH = 120;
const HELP = { type: 'boolean', short: 'h', description: 'print this help and exit' } as const;
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|KEY|WEBHOOK/;

// ---- help ----

/** What a setting takes, in a few words, from its kind in the registry. */
export function takes(schema: z.ZodType): string {
  const m = describeSetting(schema);
  if (!m) return 'text';
  switch (m.kind) {
    case 'url':
      return m.rules.schemes ? `URL (${m.rules.schemes.join(', ')})` : 'URL';
    case 'int':
    case 'number':
      return `${m.min}..${m.max}`;
    case 'bool':
      return 'true|false';
    case 'enum':
      return m.values.join('|');
    case 'list':
      return m.values.length > 6 ? 'comma-separated list' : `comma-separated ${m.values.join(',')}`;
    case 'dir':
      return 'folder';
    case 'file':
      return 'file it writes';
    case 'input':
      return 'file it reads';
    default:
      return 'text';
  }
}

/** The default a schema applies, as a user would write it: .env.example's value when it parses to
 *  the same default (`4h`, not 14400), else the default itself. */
export function defaultText(schema: z.ZodType, example: string | undefined): string | undefined {
  if (!(schema instanceof z.ZodDefault)) return undefined;
  const value: unknown = (schema.def as { defaultValue: unknown }).defaultValue;
  if (value === undefined || describeSetting(schema)?.secret) return undefined;
  if (example) {
    const r = schema.safeParse(example);
    if (r.success && JSON.stringify(r.data) === JSON.stringify(value)) return example;
  }
  return Array.isArray(value) ? value.join(',') : String(value);
}

export interface Documented {
  /** What it is for, in one sentence (the help's words). */
  about: string;
  /** .env.example's whole comment above it. */
  text: string;
  /** The .env.example section it is in (`shared by every part`). */
  section: string;
  example?: string;
}

/** The first sentence, at most about 100 characters (cut at a word, with an ellipsis). */
function firstSentence(text: string): string {
  const end = /[.!?](\s|$)/.exec(text.replace(/\b(e\.g|i\.e|etc)\./g, (m) => m.replace('.', '\u0000')));
  const first = (end ? text.slice(0, end.index + 1) : text).trim();
  if (first.length <= 100) return first;
  return `${first.slice(0, first.lastIndexOf(' ', 98))} …`;
}

let documented: Map<string, Documented> | undefined;
/** .env.example's words for each setting: the comment above it, its section, and its example value. */
export function envExample(): Map<string, Documented> {
  if (documented) return documented;
  documented = new Map();
  let text = '';
  try {
    text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  } catch {
    return documented; // an image without it: help without the descriptions
  }
  let comment: string[] = [];
  let section = '';
  let inNames = false;
  for (const line of text.split('\n')) {
    const setting = /^# ?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    const heading = /^# ---- (.*) ----$/.exec(line);
    if (setting) {
      if (!documented.has(setting[1]!)) {
        const whole = comment.join(' ');
        documented.set(setting[1]!, { about: firstSentence(whole), text: whole, section, example: setting[2] || undefined });
      }
      inNames = true;
    } else if (heading || line.trim() === '') {
      if (heading) section = heading[1]!;
      comment = [];
      inNames = false;
    } else if (line.startsWith('#')) {
      if (inNames) comment = [];
      inNames = false;
      comment.push(line.replace(/^# ?/, ''));
    }
  }
  return documented;
}

function settingLines(shape: z.ZodRawShape): string[] {
  const docs = envExample();
  const names = Object.keys(shape).filter((n) => !isInternal(shape[n] as object));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return names.map((name) => {
    const schema = shape[name] as z.ZodType;
    const d = docs.get(name);
    const dflt = defaultText(schema, d?.example);
    const line = `  ${name.padEnd(width)}${takes(schema)}${dflt !== undefined ? `, default ${dflt}` : ''}`;
    if (!d?.about) return line;
    // What it is for beside it when the line stays readable in a terminal, else under it.
    return line.length + d.about.length + 3 <= HELP_WIDTH ? `${line} · ${d.about}` : `${line}\n      ${d.about}`;
  });
}

const flagOf = (name: string, o: OptionInfo): string =>
  `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;

/** The program's help: usage, options, settings, exit codes, examples. */
export function helpText(p: ProgramInfo): string {
  const options = { ...p.options, help: HELP } as Record<string, OptionInfo>;
  const flags = Object.entries(options).map(([n, o]) => [flagOf(n, o), o.description] as const);
  const width = Math.max(...flags.map(([f]) => f.length)) + 2;
  const out = [
    `${p.command} — ${p.summary}`,
    '',
    'usage:',
    ...p.usage.map((u) => `  ${p.command}${u ? ` ${u}` : ''}`),
    '',
    'options:',
    ...flags.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
  ];
  if (p.settings && Object.keys(p.settings).length)
    out.push(
      '',
      `settings it reads (environment or .env${p.settingsFlag ? `, or ${p.settingsFlag} KEY=VALUE` : ''}; .env.example documents each):`,
      ...settingLines(p.settings),
    );
  if (p.settingsNote) out.push(`  ${p.settingsNote}`);
  if (p.exits) out.push('', `exit codes: ${p.exits}`);
  if (p.examples?.length) out.push('', 'examples:', ...p.examples.map((e) => `  ${e}`));
  if (p.notes?.length) out.push('', ...p.notes);
  return `${out.join('\n')}\n`;
}

// ---- suggestions ----

/** Optimal string alignment distance (Levenshtein with adjacent transpositions: `--onse` is one edit from `--once`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** A value safe to repeat in a suggestion: short, plain, not a URL with credentials. */
const shownValue = (v: string | undefined): string =>
  v !== undefined && v.length <= 40 && /^[\w.,:/*+ -]+$/.test(v) && !/@/.test(v) ? v : '<value>';

/** What `--flag` most likely meant: one of the program's options, or one of its settings. */
function suggestion(p: ProgramInfo, flag: string, value: string | undefined): string | undefined {
  const name = flag.replace(/^-+/, '').split('=')[0]!;
  const renamed = p.renamed?.[flag];
  if (renamed) return renamed;
  const options = { ...p.options, help: HELP } as Record<string, OptionInfo>;
  // A setting given as a flag (the old load flags, `--target-url`): the setting's own name, or the one
  // a prefix completes (PROFILE → LOAD_PROFILE), when exactly one does.
  const upper = name.toUpperCase().replace(/-/g, '_');
  // Internal settings too: they work, they are only left out of the documented surface.
  const shape: z.ZodRawShape = p.settings ?? {};
  const settings = Object.keys(shape);
  const exact = settings.filter((s) => s === upper);
  // PROFILE → LOAD_PROFILE; RATE → LOAD_RATE, not LOAD_MAX_ERROR_RATE (a one-word prefix first).
  const byEnd = settings.filter((s) => s.endsWith(`_${upper}`));
  const oneWord = byEnd.filter((s) => !s.slice(0, -upper.length - 1).includes('_'));
  const setting = exact[0] ?? (byEnd.length === 1 ? byEnd[0] : oneWord.length === 1 ? oneWord[0] : undefined);
  if (setting && upper.length >= 3) {
    const schema = shape[setting] as z.ZodType;
    if (describeSetting(schema)?.secret || SECRET_NAME.test(setting))
      return `${setting} is a setting: give it in the environment or .env, never on a command line`;
    const v = shownValue(value);
    const pair = `${setting}=${/^[\w.,:/+-]+$|^<value>$/.test(v) ? v : `'${v}'`}`;
    return p.settingsFlag
      ? `settings are given as ${p.settingsFlag} KEY=VALUE: did you mean ${p.settingsFlag} ${pair}?`
      : `settings are environment variables: did you mean ${pair} ${p.command}?`;
  }
  const long = Object.keys(options).map((n) => ({ n, d: editDistance(name, n) }));
  const near = long.filter(({ n, d }) => d <= (n.length > 4 ? 2 : 1) || (name.length >= 3 && n.startsWith(name))).sort((a, b) => a.d - b.d);
  return near.length ? `did you mean --${near[0]!.n}?` : undefined;
}

// ---- reading ----

type Values<O extends Record<string, OptionInfo>> = {
  [K in keyof O]?: O[K]['multiple'] extends true ? string[] : O[K]['type'] extends 'boolean' ? boolean : string;
};

/** A program's command line, read strictly. `-h`/`--help` anywhere before `--` throws HelpRequested
 *  with the help text; an unknown flag, a flag without its value, or an argument where none is taken
 *  is a SettingsError (exit 2) naming it, with the nearest option or setting. What follows `--` is
 *  returned unread. */
export function parseCommandLine<P extends ProgramInfo & { options?: Record<string, OptionInfo> }>(p: P, argv: readonly string[]) {
  const end = argv.indexOf('--');
  const ours = end === -1 ? [...argv] : argv.slice(0, end);
  const after = end === -1 ? [] : argv.slice(end + 1);
  if (ours.some((a) => a === '-h' || a === '--help' || a === '-help')) throw new HelpRequested(helpText(p));
  const options = Object.fromEntries(
    Object.entries(p.options ?? {}).map(([n, o]) => [
      n,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  ) as NonNullable<ParseArgsConfig['options']>;
  // npm passes what follows its own `--`: a command that already holds one takes --help straight after it.
  const more = `${p.command}${p.command.includes(' -- ') ? '' : ' --'} --help lists its options`;
  // Unknown flags first, each with what it most likely meant.
  const { tokens } = parseArgs({ args: ours, options, strict: false, allowPositionals: true, tokens: true });
  const problems: string[] = [];
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== 'option' || t.name in options) continue;
    const next = tokens[i + 1];
    const value = t.value ?? (next?.kind === 'positional' ? next.value : undefined);
    const hint = suggestion(p, t.rawName, value);
    problems.push(`${t.rawName}: not an option of ${p.command}; ${hint ?? more}`);
  }
  if (problems.length) throw new SettingsError(problems, BAD);
  try {
    const { values, positionals } = parseArgs({ args: ours, options, strict: true, allowPositionals: p.positionals ?? false });
    return { values: values as Values<NonNullable<P['options']>>, positionals, after };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const flag = /'(-{1,2}[^' ]+)/.exec((err as Error).message)?.[1] ?? 'a flag';
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new SettingsError(
        [/does not take an argument/.test((err as Error).message) ? `${flag}: takes no value` : `${flag}: expected a value after it`],
        BAD,
      );
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec((err as Error).message)?.[1] ?? '';
      throw new SettingsError([`${p.command}: takes no arguments other than its flags (got '${shownValue(arg)}'; ${more})`], BAD);
    }
    throw err;
  }
}

/** parseCommandLine for a program's first line: help goes to stdout and exits 0, a bad command line
 *  to stderr and exits 2, here, before anything else runs (for scripts that work at the top level). */
export function readCommandLine<P extends ProgramInfo>(p: P, argv: readonly string[] = process.argv.slice(2)) {
  try {
    return parseCommandLine(p, argv);
  } catch (err) {
    exitOnUsage(err);
    throw err;
  }
}
