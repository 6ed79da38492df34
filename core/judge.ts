// The contract policy, in one place: what in an API answer is breakage (a failure) and what is drift
// (news). A real API adds fields over time; a check that fails on an added field pages someone for
// nothing, so known fields are held exact (core/schemas.ts stays strict) and unknown ones are reported
// as drift. Tests, fixtures, the monitor and the Node side of load all ask judgeAnswer; k6 cannot load
// zod and checks the Content-Type and the fields it needs itself (load/lib/checks.ts).
import type { z } from 'zod';
import type { ApiResponse } from './client.ts';
import { isJsonContentType } from './contract.ts';
import { excerpt, redactText, redactThenCut } from './redact.ts';
import { terminalValue } from './terminal.ts';

export interface JudgeOptions {
  /** The HTTP status the answer must have. */
  status?: number;
  /** CONTRACT_STRICT: a field the contract does not know is a failure too. */
  strict?: boolean;
  /** Values that must never appear anywhere in a body: passwords the harness sent, a verification
   *  token. A record names them for the message (`{ 'the account password': pw }`). Values shorter
   *  than 6 characters are ignored: they would match ordinary text. */
  secrets?: readonly (string | undefined)[] | Readonly<Record<string, string | undefined>>;
}

export type Judgement<T> = {
  /** What breaks the contract, one on-call sentence each; never holds the body or a secret. */
  problems: string[];
  /** Fields the contract does not know, as dotted paths (`response.Organization`, `response.Keys[].Label`). */
  drift: string[];
} & ({ ok: true; data: T } | { ok: false; data: undefined });

export type Answer = Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text' | 'json'>;

/** The shortest secret looked for in bodies. */
const MIN_SECRET = 6;
// A bcrypt hash as Go's bcrypt writes it ($2a$10$ + 53 characters), and hex-encoded as the user model
// stores it (`$2a$10$` = 24 32 61 24 31 30 24). A truncated one still counts.
const BCRYPT_RAW = /\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{20,}/;
const BCRYPT_HEX = /2432(?:61|62|78|79)?243[0-9]3[0-9]24(?:[0-9a-f]{2}){20,}/i;

type Path = readonly PropertyKey[];

/** `response.Keys[2].Label` (one element), or with `collapse` `response.Keys[].Label` (any element). */
export function fieldPath(path: Path, collapse = false): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += collapse ? '[]' : `[${seg}]`;
    else out += `${out ? '.' : ''}${String(seg)}`;
  }
  return out;
}

/** Longest field name shown: real ones are short; a longer one is cut (a server may send anything as a key). */
const MAX_SHOWN_KEY = 64;

/** A path as messages and reports show it: every name redacted (a server may echo a password or a
 *  token as a key), then cut (redact, then cut). */
const shownPath = (path: Path, secrets: readonly string[]): Path =>
  path.map((seg) => (typeof seg === 'string' ? redactThenCut(terminalValue(redactText(seg, secrets)), MAX_SHOWN_KEY, secrets) : seg));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(body: unknown, path: Path): unknown {
  let v = body;
  for (const seg of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[seg as string] : undefined;
  return v;
}

/** Every string in a JSON value (keys too), with where it is. */
function* strings(v: unknown, path: PropertyKey[] = []): Generator<[string, Path]> {
  if (typeof v === 'string') yield [v, path];
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* strings(x, [...path, i]);
  else if (isRecord(v))
    for (const [k, x] of Object.entries(v)) {
      yield [k, [...path, k]];
      yield* strings(x, [...path, k]);
    }
}

function namedSecrets(secrets: JudgeOptions['secrets']): [string, string][] {
  const entries: [string, string | undefined][] = Array.isArray(secrets)
    ? secrets.map((s) => ['a password or token the harness sent', s])
    : Object.entries(secrets ?? {});
  return entries.filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length >= MIN_SECRET);
}

/** Secrets anywhere in the body, known field or not. Says what and where, never the value. */
export function secretProblems(res: Answer, secrets: JudgeOptions['secrets']): string[] {
  const named = namedSecrets(secrets);
  const found = new Set<string>();
  const values = named.map(([, v]) => v);
  const where = (p: Path) => (p.length ? `at ${fieldPath(shownPath(p, values))}` : 'as the whole body');
  const scan = (text: string, p: Path) => {
    if (BCRYPT_RAW.test(text)) found.add(`a bcrypt password hash is in the body (${where(p)}): hashes must never be sent`);
    if (BCRYPT_HEX.test(text)) found.add(`a bcrypt password hash, hex-encoded as Go stores it, is in the body (${where(p)})`);
    for (const [name, value] of named) if (text.includes(value)) found.add(`${name} is in the body (${where(p)})`);
  };
  if (res.json) for (const [text, p] of strings(res.body)) scan(text, p);
  else scan(res.text, []);
  return [...found];
}

/** One zod issue as zod's prettifyError writes it, on one line; a field that is absent says so. */
function issueText(issue: z.core.$ZodIssue, body: unknown, secrets: readonly string[]): string {
  const path = fieldPath(shownPath(issue.path, secrets));
  const last = issue.path.at(-1);
  const parent = at(body, issue.path.slice(0, -1));
  const missing = issue.code === 'invalid_type' && last !== undefined && isRecord(parent) && !(String(last) in parent);
  return `✖ ${missing ? 'missing field' : issue.message}${path ? ` → at ${path}` : ''}`;
}

/** Removes the fields the contract does not know, so the strict schema can parse what is left. */
function withoutDrift(body: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(body);
  for (const issue of issues) {
    const holder = at(copy, issue.path);
    if (issue.code === 'unrecognized_keys' && isRecord(holder)) for (const k of issue.keys) delete holder[k];
  }
  return copy;
}

/** The answer's Content-Type as messages show it: a header is the server's text too (redacted, then cut). */
const describeType = (res: Answer): string =>
  res.headers['content-type'] === undefined ? 'no Content-Type' : excerpt(res.headers['content-type'], 100);

/**
 * Judges one API answer against the contract. Problems (always failures): a wrong status, a JSON answer
 * whose Content-Type is not application/json, a body that is not JSON, a missing, renamed or retyped
 * field, any secret anywhere in the body. Drift (news; a failure only with `strict`): a field the
 * contract does not know. `data` is the parsed body (without the unknown fields) when there are no problems.
 */
export function judgeAnswer<S extends z.ZodType>(schema: S, res: Answer, o: JudgeOptions = {}): Judgement<z.infer<S>> {
  const problems: string[] = [];
  const drift: string[] = [];
  // Field names are shown with these redacted (the secrets passed, whatever their length here).
  const shown = namedSecrets(o.secrets).map(([, v]) => v);
  const statusWrong = o.status !== undefined && res.status !== o.status;
  if (statusWrong) problems.push(`answered ${res.status}, expected ${o.status}`);
  if (!res.json)
    problems.push(
      res.text === ''
        ? 'the answer has an empty body, expected JSON'
        : `the answer is not JSON (${describeType(res)}, ${res.text.length} bytes)`,
    );
  else if (!isJsonContentType(res.headers['content-type']))
    problems.push(
      res.headers['content-type'] === undefined
        ? 'the JSON answer has no Content-Type, expected application/json'
        : `the JSON answer says Content-Type '${describeType(res)}', expected application/json`,
    );
  problems.push(...secretProblems(res, o.secrets));

  // The shape of an answer with the wrong status (or no JSON at all) says nothing more.
  let data: z.infer<S> | undefined;
  if (res.json && !statusWrong) {
    const r = schema.safeParse(res.body);
    if (r.success) data = r.data;
    else {
      const unknown = r.error.issues.filter((i) => i.code === 'unrecognized_keys');
      for (const i of unknown) for (const k of i.keys) drift.push(fieldPath(shownPath([...i.path, k], shown), true));
      problems.push(...r.error.issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => issueText(i, res.body, shown)));
      if (problems.length === 0) {
        const again = schema.safeParse(withoutDrift(res.body, unknown));
        if (again.success) data = again.data;
        else problems.push(...again.error.issues.map((i) => issueText(i, res.body, shown)));
      }
    }
  }
  const fields = capDrift([...new Set(drift)].sort());
  if (o.strict && fields.length)
    problems.push(`fields the contract does not know: ${fields.join(', ')} (CONTRACT_STRICT=true fails on added fields)`);
  if (problems.length === 0 && data !== undefined) return { ok: true, problems, drift: fields, data };
  return { ok: false, problems, drift: fields, data: undefined };
}

/** Most drifted fields named at once: a server may add thousands of fresh keys to every answer, and
 *  each name is kept (the monitor's history and metrics, the status page, the reports). The rest are
 *  counted in one last entry, `… and 19975 more fields`. */
export const MAX_DRIFT_FIELDS = 25;
const MORE = /^… and (\d+) more fields?\b/;

/** The hidden count of a `… and N more fields` entry (with or without its endpoint); undefined for a field. */
export const driftOverflow = (label: string): number | undefined => {
  const m = MORE.exec(label);
  return m ? Number(m[1]) : undefined;
};

/** At most MAX_DRIFT_FIELDS field names, then one `… and N more fields` entry for the rest (the
 *  entries of that kind already in `labels` added up into it). */
export function capDrift(labels: readonly string[], max = MAX_DRIFT_FIELDS): string[] {
  const named = labels.filter((l) => driftOverflow(l) === undefined);
  const more = labels.reduce((n, l) => n + (driftOverflow(l) ?? 0), 0) + Math.max(0, named.length - max);
  return more ? [...named.slice(0, max), `… and ${more} more field${more === 1 ? '' : 's'}`] : named;
}

/** `response.Organization (register)`: a drift path with the endpoint it came from, as every report shows it. */
export const driftLabel = (field: string, endpoint: string | undefined): string => (endpoint ? `${field} (${endpoint})` : field);
