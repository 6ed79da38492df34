// The fault catalog: realistic regressions the reference target can be told to commit, so the
// harness can prove it catches them. Each entry says which part of the harness must catch it.
// Switched on with TARGET_FAULTS=name,name:param (or --faults); all off unless asked for.

import type { Generation } from '../core/contract.ts';
import { md, mdTable } from '../core/markdown.ts';
import type { Part } from '../core/parts.ts';

export interface FaultEntry {
  /** What goes wrong, as a release note of the bug would say it. */
  summary: string;
  /** The parts of the harness that must catch it (the detection matrix holds them to it). */
  caughtBy: readonly Part[];
  /** With `tests` among them: the Playwright spec files (under tests/) whose tests must catch it. The
   *  matrix runs those alone against the fault; without it, the whole suite (only `outage`, which shows
   *  that every test can fail, and the harmless faults, under which no test may fail). */
  specs?: readonly Spec[];
  /** A harmless change, news rather than breakage: every part must pass under it and these parts
   *  must report it as drift; with CONTRACT_STRICT=true (matrix --strict) these must fail on it. */
  driftShownBy?: readonly Part[];
  /** An optional parameter after a colon (`latency:2500`). */
  param?: { name: string; default: number; min: number; max: number };
  /** The generations of the API the fault exists in (default: both); the matrix runs it under those. */
  generations?: readonly Generation[];
  /** A fault of the TLS certificate: only a target serving TLS (TARGET_TLS=true) has it; the matrix
   *  starts its targets so, and gives the parts their CA (TARGET_CA_FILE). */
  tls?: true;
  /** It breaks a share of the answers, drawn at random: a short run can miss it by chance, so the
   *  matrix never cuts its runs short. */
  byChance?: true;
  /** It changes what every endpoint answers, the mailed verification link's too (a proxy, an outage, the
   *  certificate). The two generations differ only in how an account comes to be (the latest verifies its
   *  e-mail address first), so such a fault meets code of the latest generation's own, and the matrix runs
   *  it in both. A fault of both generations without it changes only what they share: its documented run
   *  shows it (proof/matrix-plan.ts). */
  everyEndpoint?: true;
}

/** The Playwright spec files a fault entry may name (selftest/reference/faults.test.ts holds this list
 *  to the files under tests/). */
export const SPECS = [
  'smoke/smoke.spec.ts',
  'flow/flow.spec.ts',
  'flow/login.spec.ts',
  'flow/tokens.spec.ts',
  'flow/refresh.spec.ts',
  'flow/register.spec.ts',
  'flow/password.spec.ts',
  'flow/credits.spec.ts',
  'flow/round-trip.spec.ts',
  'flow/verification.spec.ts',
  'upgrade/upgrade.spec.ts',
] as const;
export type Spec = (typeof SPECS)[number];

// The specs that catch the faults of a token's lifetime and shape: the smoke's login, login's and refresh's.
const LIFETIME: readonly Spec[] = ['smoke/smoke.spec.ts', 'flow/login.spec.ts', 'flow/refresh.spec.ts'];
// A fault that breaks every answer (or every account) is shown caught by the smoke; `outage` runs every
// spec and so shows each test able to fail.
const SMOKE: readonly Spec[] = ['smoke/smoke.spec.ts'];
const ROUND_TRIP: readonly Spec[] = ['flow/round-trip.spec.ts'];

export const FAULTS = {
  // ---- tokens ----
  'token-1h': {
    summary: 'Tokens last 1 h instead of 24 h (gin-jwt Timeout misconfigured); exp and expire agree with each other.',
    caughtBy: ['tests', 'load', 'monitor'],
    specs: LIFETIME,
  },
  'expire-not-exp': {
    summary: "`expire` is 1 h later than the JWT's `exp` (expire computed separately, in the wrong zone).",
    caughtBy: ['tests', 'load', 'monitor'],
    specs: LIFETIME,
  },
  'clock-ahead': {
    summary: "The token signer's clock runs 10 min ahead: exp, orig_iat and expire all shifted, the Date header right.",
    caughtBy: ['tests', 'load', 'monitor'],
    specs: LIFETIME,
  },
  'alg-hs512': {
    summary: 'Tokens are signed with HS512 after a config change (the middleware accepts them).',
    caughtBy: ['tests', 'monitor'],
    specs: [...LIFETIME, 'flow/tokens.spec.ts'],
  },
  'alg-none-accepted': {
    summary: 'The middleware accepts unsigned tokens (`alg: none`).',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/tokens.spec.ts'],
  },
  'signature-unchecked': {
    summary: 'The middleware decodes tokens without checking the signature: tampered and foreign tokens pass.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/tokens.spec.ts'],
  },
  'expired-accepted': {
    summary: 'The middleware ignores `exp`: expired tokens keep working.',
    caughtBy: ['tests', 'monitor'],
    specs: ['flow/tokens.spec.ts'],
  },
  'token-rejected': {
    summary: 'Fresh tokens are refused by the account routes (login signs with a rotated key the middleware lacks).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: ['smoke/smoke.spec.ts', 'flow/tokens.spec.ts'],
  },
  'refresh-resets-origin': {
    summary: 'Refresh issues a new `orig_iat`, so a session can be stretched forever.',
    caughtBy: ['tests', 'monitor', 'explore'],
    specs: ['flow/refresh.spec.ts'],
  },
  'refresh-keeps-exp': {
    summary:
      "Refresh hands back a new token with the old one's `exp` (and `expire`): the session dies 24 h after login whatever " +
      'the client refreshes (the new claims copied from the old token, exp included).',
    caughtBy: ['tests', 'monitor', 'explore'],
    specs: ['flow/refresh.spec.ts'],
  },
  'exp-float': {
    summary:
      'Token times are written with a fraction of a second (`exp` 1764950400.734): a library upgrade that stopped truncating to whole seconds; `expire` is still whole seconds.',
    caughtBy: ['tests', 'monitor'],
    specs: LIFETIME,
  },
  'refresh-accepts-alg-none': {
    summary:
      'Refresh takes an unsigned token (`alg: none`) and signs a real one for whatever `id` it names. Documented generation only ' +
      "(the latest's refresh takes any token, a listed known issue).",
    caughtBy: ['tests', 'explore'],
    specs: ['flow/tokens.spec.ts'],
    generations: ['documented'],
  },
  'credits-no-auth': {
    summary: 'The credits route answers without a token (mounted outside the auth group).',
    caughtBy: ['tests', 'explore'],
    specs: ['smoke/smoke.spec.ts', 'flow/credits.spec.ts'],
  },
  'refresh-unchecked': {
    summary:
      "Refresh is gin-jwt 2.3.1's, as in the latest server: any token's claims are re-signed unchecked (a forged token buys a " +
      "real one), and no readable token crashes it (500, empty body). Documented generation only (the latest's own behaviour).",
    caughtBy: ['tests', 'explore'],
    specs: ['flow/refresh.spec.ts', 'flow/tokens.spec.ts'],
    generations: ['documented'],
  },
  // ---- passwords and secrets ----
  'old-password-works': {
    summary: 'After a password change the old password still logs in.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/password.spec.ts', 'flow/flow.spec.ts'],
  },
  'wrong-old-password-accepted': {
    summary: 'Password change does not check the old password.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/password.spec.ts'],
  },
  'hash-not-scrubbed': {
    summary: 'Register returns the real `HashedPassword` instead of "scrubbed".',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/register.spec.ts', 'flow/flow.spec.ts'],
  },
  'password-in-error': {
    summary: 'A failed password change echoes the old password given in its error message.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/password.spec.ts'],
  },
  // ---- register validation ----
  'plus-email-accepted': {
    summary: 'E-mail addresses with `+` are accepted.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/register.spec.ts'],
  },
  'at-username-accepted': { summary: 'Usernames with `@` are accepted.', caughtBy: ['tests', 'explore'], specs: ['flow/register.spec.ts'] },
  'duplicate-username-accepted': {
    summary: 'A taken username can be registered again (uniqueness check lost).',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/register.spec.ts'],
  },
  'missing-field-500': {
    summary: 'A missing form field gives 500 (nil dereference) instead of 400 `<field> not present`.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/register.spec.ts', 'flow/password.spec.ts'],
  },
  'empty-field-200': {
    summary:
      'A request filter in front of the handlers gives up on a multipart form with an empty field and writes nothing: 200 with an ' +
      "empty body instead of 400 `<field> not present` (the latest server's XSS middleware does this).",
    caughtBy: ['explore'],
  },
  // ---- what is typed is what logs in (one fault per kind of input the round trips and the explorer try) ----
  'password-cut-at-72-bytes': {
    summary:
      'Passwords are cut silently at 72 bytes (bcrypt reads no more; x/crypto before 0.1.0 does not refuse longer ones): a ' +
      'longer password logs in with anything sharing its first 72 bytes. Documented generation only (the latest server does ' +
      'this, a listed known issue).',
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
    generations: ['documented'],
  },
  'password-entities-at-register-only': {
    summary:
      'Register and password change unescape HTML entities in the password before hashing, login does not (what the latest ' +
      "server's source does): a password with `&amp;` in it registers but cannot log in as typed.",
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  'password-trimmed-at-register': {
    summary:
      'Register and password change trim spaces around the password before hashing (strings.TrimSpace), login does not: a ' +
      'password with a leading or trailing space registers but cannot log in as typed.',
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  'password-url-decoded-at-register': {
    summary:
      'Register and password change URL-decode the password a second time (a `+` becomes a space, `%41` an `A`), login does ' +
      'not: a password with `+` or `%` in it registers but cannot log in as typed.',
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  'password-nfc-at-register': {
    summary:
      'Register and password change NFC-normalise the password before hashing, login does not: a password typed in ' +
      'decomposed form (e + U+0301, as some keyboards and macOS send it) registers but cannot log in as typed.',
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  'control-chars-stripped': {
    summary:
      'A sanitiser strips control characters (TAB, CR, LF, U+0001, DEL) from every form value: a username or password holding ' +
      'one is stored other than typed.',
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  'form-markup-empty-200': {
    summary:
      'A request filter in front of the handlers gives up on a form value holding `<` or `;` and writes nothing: 200 with an ' +
      "empty body instead of the handler's answer (no account made, no error shown).",
    caughtBy: ['tests', 'explore'],
    specs: ROUND_TRIP,
  },
  // ---- shapes and types ----
  'credits-string': {
    summary: 'Credits come back as a string ("0") instead of a JSON number.',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: ['smoke/smoke.spec.ts', 'flow/credits.spec.ts'],
  },
  'expire-unix': {
    summary: '`expire` is a unix number instead of an RFC 3339 string (library upgrade).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: ['smoke/smoke.spec.ts', 'flow/login.spec.ts'],
  },
  'error-message-field': {
    summary: 'Handler errors put their text under `message` instead of `response`.',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/register.spec.ts', 'flow/password.spec.ts'],
  },
  'json-as-text': {
    summary: 'Every JSON answer is sent with `Content-Type: text/plain` (a middleware writes the status before the type).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: SMOKE,
    everyEndpoint: true,
  },
  'field-added': {
    summary: 'Harmless: every JSON answer gains a top-level `RequestID`, and every `response` object a `Region` (a release adds fields).',
    caughtBy: [],
    driftShownBy: ['tests', 'monitor', 'explore'],
  },
  // ---- upgrade ----
  'upgrade-repeatable': {
    summary: 'A second upgrade answers 200 again instead of 400 "already upgrade".',
    caughtBy: ['tests', 'explore'],
    specs: ['upgrade/upgrade.spec.ts'],
  },
  'upgrade-not-persisted': {
    summary: 'Upgrade answers 200 but the tier in usage stays `free`.',
    caughtBy: ['tests', 'explore'],
    specs: ['upgrade/upgrade.spec.ts', 'flow/flow.spec.ts'],
  },
  'upgrade-refused': {
    summary: 'Upgrade refuses a free account with 400 "user account is already upgrade" (the tier check inverted).',
    caughtBy: ['tests', 'explore'],
    specs: ['upgrade/upgrade.spec.ts', 'flow/flow.spec.ts'],
  },
  'upgrade-other-account': {
    summary:
      "Upgrade answers 200 'account upgraded' but moves another account to paid (the update lost its user filter and takes " +
      "the first free account): the caller's tier stays free.",
    caughtBy: ['tests', 'explore'],
    specs: ['upgrade/upgrade.spec.ts'],
  },
  'credits-other-account': {
    summary:
      "Credits answer another account's balance (the query lost its user filter and reads the table's first row, an old " +
      "customer's: 10000464.996296696, the contract's example) instead of the caller's.",
    caughtBy: ['tests', 'monitor', 'explore'],
    specs: ['flow/credits.spec.ts', 'flow/register.spec.ts'],
  },
  'paid-credits-500': {
    summary: 'Credits answer 500 once the account is paid (the handler reads a field only free accounts fill).',
    caughtBy: ['tests', 'explore'],
    specs: ['upgrade/upgrade.spec.ts', 'flow/flow.spec.ts'],
  },
  // ---- e-mail verification (the latest generation) ----
  'verification-skipped': {
    summary: 'Unverified accounts log in and their tokens are accepted (the EmailEnabled checks lost in login and the authorizator).',
    caughtBy: ['tests', 'explore'],
    specs: ['flow/verification.spec.ts'],
    generations: ['latest'],
  },
  'verification-link-broken': {
    summary:
      'The mailed verification link answers 400 `signature is invalid`: the link is signed with a key the verifier does not ' +
      'use (cfg.API.JWT.Key vs cfg.JWT.Key).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: ['flow/verification.spec.ts'],
    generations: ['latest'],
  },
  'verify-link-second-open-500': {
    summary:
      'Opening a verification link a second time (a user clicking twice, a mail scanner fetching it first) answers 500 with ' +
      'an empty body: the handler dereferences the verification token it cleared.',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: ['flow/verification.spec.ts'],
    generations: ['latest'],
  },
  'verify-reason-reworded': {
    summary:
      "Harmless: the verification route refuses a bad link in its own words ('failed to validate email token') instead of " +
      "its JWT library's ('signature is invalid', 'username from claim does not match …'): the contract fixes the status and " +
      'that there is a reason, not the words.',
    caughtBy: [],
    driftShownBy: ['tests'],
    generations: ['latest'],
  },
  'no-mail-for-dotted-names': {
    summary:
      'Registration sends no welcome mail for a username with a dot in it (the mail worker refuses the name): such an account ' +
      'answers 200 and can never be verified.',
    caughtBy: ['tests', 'load', 'monitor'],
    specs: SMOKE,
    generations: ['latest'],
  },
  // ---- availability ----
  latency: {
    summary: 'Every API answer is delayed (default 3000 ms).',
    caughtBy: ['load', 'monitor'],
    param: { name: 'delay in ms', default: 3000, min: 0, max: 120_000 },
    everyEndpoint: true,
  },
  'errors-5xx': {
    summary: 'A share of API answers are 502/503 (default 30%).',
    caughtBy: ['load', 'explore'],
    param: { name: 'share from 0 to 1', default: 0.3, min: 0, max: 1 },
    byChance: true,
    everyEndpoint: true,
  },
  outage: {
    summary: 'Every API answer is 503 (a dependency is down).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    everyEndpoint: true,
  },
  garbage: {
    summary: 'Every API answer is 200 with an HTML error page (a proxy in front is broken).',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: SMOKE,
    everyEndpoint: true,
  },
  redirect: {
    summary:
      'Every API answer is a 302 to a sign-in page on another host (a proxy in front lost its rule for the API): a client that ' +
      'followed it would send its passwords and tokens there.',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: SMOKE,
    everyEndpoint: true,
  },
  hang: { summary: 'The API accepts connections and never answers.', caughtBy: ['monitor'], everyEndpoint: true },
  // A rate limit is not a failure of the API: each part says so in its own words (k6: "rate limited", its
  // rate_limited threshold stopping the run; the monitor: throttled; the release check: INCONCLUSIVE). The
  // matrix holds k6's threshold to it, the one check that exists for it.
  'rate-limited': {
    summary:
      "The target's rate limit is spent: past the first requests of the hour (default 5) every answer is 429 `Limit " +
      "exceeded` as text/plain with X-RateLimit-* headers, as the real server's limit answers.",
    caughtBy: ['load'],
    param: { name: 'requests per hour per client', default: 5, min: 1, max: 100_000 },
    generations: ['documented'],
  },
  drop: {
    summary: 'The API drops every connection without answering.',
    caughtBy: ['tests', 'load', 'monitor', 'explore'],
    specs: SMOKE,
    everyEndpoint: true,
  },
  // Not load: k6 keeps a whole body in memory and has no size limit, only its time limit.
  'endless-body': {
    summary: 'Every API answer is 200 with a JSON body that never ends (a proxy streaming in a loop).',
    caughtBy: ['tests', 'monitor', 'explore'],
    specs: SMOKE,
    everyEndpoint: true,
  },
  // ---- the TLS certificate (TARGET_TLS=true) ----
  // Clients still connect to a certificate that expires soon: only the monitor watches the date.
  'cert-expiring': {
    summary: "The target's TLS certificate expires in a few days (default 2): nobody renewed it, and clients still connect, for now.",
    caughtBy: ['monitor'],
    param: { name: 'days left', default: 2, min: 0, max: 365 },
    tls: true,
    everyEndpoint: true,
  },
  'cert-expired': {
    summary: "The target's TLS certificate has expired: every client refuses the connection.",
    caughtBy: ['tests', 'load', 'monitor'],
    specs: SMOKE,
    tls: true,
    everyEndpoint: true,
  },
  'cert-wrong-host': {
    summary: 'The target serves a TLS certificate for another host name (api.other-host.example): every client refuses it.',
    caughtBy: ['tests', 'load', 'monitor'],
    specs: SMOKE,
    tls: true,
    everyEndpoint: true,
  },
} as const satisfies Record<string, FaultEntry>;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** Parses `name,name:param` into a map of fault → parameter. Throws with the offending item named. */
export function parseFaults(spec: string | readonly string[]): Map<FaultName, number> {
  const items = (typeof spec === 'string' ? spec.split(',') : spec).map((s) => s.trim()).filter(Boolean);
  const out = new Map<FaultName, number>();
  for (const item of items) {
    const [name, raw] = item.split(':', 2) as [string, string | undefined];
    if (!(name in FAULTS)) throw new Error(`unknown fault '${name}' (known: ${FAULT_NAMES.join(', ')})`);
    const entry: FaultEntry = FAULTS[name as FaultName];
    if (raw !== undefined && !entry.param) throw new Error(`fault '${name}' takes no parameter`);
    let value = entry.param?.default ?? 1;
    if (raw !== undefined && entry.param) {
      value = Number(raw);
      if (!Number.isFinite(value) || value < entry.param.min || value > entry.param.max)
        throw new Error(`fault '${name}' takes ${entry.param.name} from ${entry.param.min} to ${entry.param.max}, got '${raw}'`);
    }
    out.set(name as FaultName, value);
  }
  return out;
}

/** The faults in force; swappable at run time (target.setFaults). */
export class FaultSet {
  private active: Map<FaultName, number>;
  constructor(spec: string | readonly string[] = '') {
    this.active = parseFaults(spec);
  }
  has(name: FaultName): boolean {
    return this.active.has(name);
  }
  param(name: FaultName): number {
    return this.active.get(name) ?? 0;
  }
  set(spec: string | readonly string[]): void {
    this.active = parseFaults(spec);
  }
  list(): string[] {
    return [...this.active.entries()].map(([n, v]) => ((FAULTS[n] as FaultEntry).param ? `${n}:${v}` : n));
  }
  names(): FaultName[] {
    return [...this.active.keys()];
  }
}

/** The faults of the TLS certificate among those in force (or named in a spec). */
export function tlsFaultsIn(faults: FaultSet | string): FaultName[] {
  const names = typeof faults === 'string' ? [...parseFaults(faults).keys()] : faults.names();
  return names.filter((n) => (FAULTS[n] as FaultEntry).tls);
}

/** Where a fault exists, when not everywhere: its generation, or a target serving TLS. */
export const faultOnly = (e: FaultEntry): string =>
  `${e.generations ? ` (${e.generations.join(', ')} generation only)` : ''}${e.tls ? ' (with TARGET_TLS=true)' : ''}`;

/** The catalog as a Markdown table (npm run target -- --list-faults --markdown, and docs/faults.md). */
export function faultsMarkdown(): string {
  return mdTable(
    ['fault', 'what goes wrong', 'must be caught by (the tests: by these specs)'],
    (Object.entries(FAULTS) as [string, FaultEntry][]).map(([name, e]) => [
      `\`${name}${e.param ? `[:${e.param.default}]` : ''}\``,
      md(`${e.summary}${faultOnly(e)}`),
      e.driftShownBy
        ? `nothing may fail; ${e.driftShownBy.join(', ')} show the drift (caught only with \`CONTRACT_STRICT=true\`)`
        : e.caughtBy.map((p) => (p === 'tests' && e.specs ? `tests (${e.specs.join(', ')})` : p)).join(', '),
    ]),
  );
}
