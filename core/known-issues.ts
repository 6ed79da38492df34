// Known server bugs, tracked, not hidden. A team can accept a real bug of a target for a while: the
// versioned list in known-issues.json names the target (its generation, or a URL pattern), what the
// bug breaks (a Playwright test by its title, a monitor check, an exploration property), why, and since
// when. The parts then report those failures as expected ("known") instead of failing, and, like
// Playwright's test.fail, a listed bug that no longer happens fails the run until its entry is removed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SettingsError } from './settings.ts';
import { checkUrl, TARGET_URL_RULES } from './url.ts';

export const KNOWN_ISSUES_FILE = fileURLToPath(new URL('../known-issues.json', import.meta.url));

const Where = z
  .strictObject({
    /** The target generation the bug belongs to (TARGET_GENERATION). */
    generation: z.enum(['documented', 'latest']).optional(),
    /** A TARGET_URL pattern: `*` matches any run of characters (`http://127.0.0.1:*`). */
    url: z.string().min(1).optional(),
  })
  .refine((w) => w.generation !== undefined || w.url !== undefined, 'give a generation, a url pattern, or both');

export const KnownIssue = z
  .strictObject({
    /** A short stable name, used in reports (`refresh-without-token-500`). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by dashes'),
    where: Where,
    /** A Playwright test's title (the title alone, as written in the spec), or the titles of the
     *  tests one bug fails (one entry per bug, not per test). */
    test: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** A monitor check's name (`refresh`). */
    check: z.string().min(1).optional(),
    /** An exploration property's name (npm run explore). */
    property: z.string().min(1).optional(),
    /** For a property: its minimal counterexample, as the explorer prints it. */
    counterexample: z.string().optional(),
    /** Why it is accepted for now, in words an on-call engineer understands. */
    reason: z.string().min(1),
    /** When it was listed (YYYY-MM-DD). */
    since: z.iso.date(),
    /** Where it is tracked upstream, when it is. */
    link: z.url().optional(),
  })
  .refine((k) => [k.test, k.check, k.property].filter(Boolean).length === 1, 'name exactly one of test, check or property');
export type KnownIssue = z.infer<typeof KnownIssue>;

const KnownIssuesFile = z.strictObject({ $comment: z.string().optional(), issues: z.array(KnownIssue) });

/** The target a run is pointed at, as far as known issues care. */
export interface TargetKind {
  /** `auto`: not told yet (TARGET_GENERATION=auto against a TARGET_URL): no generation's entries apply. */
  generation: 'documented' | 'latest' | 'auto';
  /** TARGET_URL; undefined for the bundled reference target. */
  url?: string;
}

const globToRegExp = (glob: string): RegExp => new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`);
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The URL a pattern is matched against: the canonical form the settings give (core/url.ts), so
 *  `HTTP://Host:80/` and `http://host` are one target; a URL the rules refuse matches nothing
 *  (`http://127.0.0.1:x@elsewhere` is not 127.0.0.1). */
function canonicalTarget(url: string): string | undefined {
  const r = checkUrl(url, TARGET_URL_RULES);
  return 'problem' in r ? undefined : r.value;
}

/** Does the entry apply to this target? */
export function applies(k: KnownIssue, target: TargetKind): boolean {
  if (k.where.generation !== undefined && k.where.generation !== target.generation) return false;
  if (k.where.url !== undefined) {
    const url = target.url === undefined ? undefined : canonicalTarget(target.url);
    if (url === undefined || !globToRegExp(k.where.url).test(url)) return false;
  }
  return true;
}

/** Reads and validates the list; a broken file is an error that names the entry and the field. */
export function readKnownIssues(file = KNOWN_ISSUES_FILE): KnownIssue[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} cannot be read as JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = KnownIssuesFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid known-issues list:\n${z.prettifyError(parsed.error)}`);
  const ids = parsed.data.issues.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`${file}: the id '${dup}' is listed twice`);
  return parsed.data.issues;
}

/** The test titles an entry names (none for a check or a property). */
export const testsOf = (k: KnownIssue): string[] => (k.test === undefined ? [] : Array.isArray(k.test) ? k.test : [k.test]);

/** The entry in force that names this Playwright test title, if any. */
export const knownIssueForTest = (title: string, inForce: readonly KnownIssue[]): KnownIssue | undefined =>
  inForce.find((k) => testsOf(k).includes(title));

/** The entry in force that names this monitor check, if any. */
export const knownIssueForCheck = (check: string, inForce: readonly KnownIssue[]): KnownIssue | undefined =>
  inForce.find((k) => k.check === check);

/** What a run says when a listed bug did not happen: it fails until the entry is removed. */
export const fixedMessage = (k: KnownIssue, file = 'known-issues.json'): string =>
  `known issue ${k.id} no longer happens (it passed): the bug looks fixed, so remove its entry from ${file} (listed since ${k.since})`;

/** The entries in force against `target`. */
export const knownIssuesFor = (target: TargetKind, all: readonly KnownIssue[] = readKnownIssues()): KnownIssue[] =>
  all.filter((k) => applies(k, target));

interface KnownIssueSettings {
  KNOWN_ISSUES_FILE?: string;
  /** `auto` is the bundled target's own generation (documented) without TARGET_URL; with one, not told yet. */
  TARGET_GENERATION: 'documented' | 'latest' | 'auto';
  TARGET_URL?: string;
}

/** The entries in force for a part's settings (KNOWN_ISSUES_FILE, else the harness's own list); a
 *  list that cannot be read is a bad setting (exit 2, before any traffic). */
export function knownIssuesInForce(s: KnownIssueSettings): KnownIssue[] {
  try {
    return knownIssuesFor(
      { generation: s.TARGET_GENERATION === 'auto' && !s.TARGET_URL ? 'documented' : s.TARGET_GENERATION, url: s.TARGET_URL },
      readKnownIssues(s.KNOWN_ISSUES_FILE ?? KNOWN_ISSUES_FILE),
    );
  } catch (err) {
    throw new SettingsError([`KNOWN_ISSUES_FILE: ${(err as Error).message}`]);
  }
}

/** "refresh-without-token-500: <reason> (since 2026-11-25)" — for annotations, reports, pages. */
export const describeKnownIssue = (k: KnownIssue): string => `${k.id}: ${k.reason} (known since ${k.since})`;
