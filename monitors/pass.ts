// One pass: every check in order, each retried with back-off before it counts as failed (the retry
// is recorded in the result), dependants skipped when what they need failed. Never throws for
// anything the target does: no answer, garbage or an error status is a failed check.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TemporalClient } from '../core/client.ts';
import type { Generation } from '../core/contract.ts';
import type { Inbox } from '../core/mail/index.ts';
import { dateHeaderS } from '../core/durations.ts';
import { TransportError } from '../core/http.ts';
import { DetectionError } from '../core/generation.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import { SettingsError } from '../core/settings.ts';
import { describeKnownIssue, fixedMessage, knownIssueForCheck, type KnownIssue } from '../core/known-issues.ts';
import { capDrift } from '../core/judge.ts';
import { addKnownSecret, redactText } from '../core/redact.ts';
import { terminalValue } from '../core/terminal.ts';
import { CHECKS } from './checks/index.ts';
import type { Check, CheckConfig, PassContext, Verdict } from './checks/context.ts';
import type { MonitorState, TokenChanges } from './state.ts';
import { passed, type CheckResult, type PassResult } from './types.ts';

export interface PassOptions {
  api: TemporalClient;
  state: MonitorState;
  /** The account key: the dedicated account and kept tokens belong to it (TARGET_URL or `bundled`). */
  target: string;
  /** The history key the pass is recorded under (default: `target`). */
  timeline?: string;
  targetLabel: string;
  config: CheckConfig;
  retries: number;
  backoffMs: number;
  credentials?: { username: string; password: string };
  /** The target's generation (`auto`: told by the dedicated account when it is made) and, for
   *  `latest`, where the dedicated account's mail is read. */
  generation?: Generation | 'auto';
  /** Tells the generation with the dedicated account it registers (core/generation.ts). */
  detect?: PassContext['detect'];
  inbox?: Inbox;
  mailWaitMs?: number;
  /** Aborted when the monitor stops: back-off ends and the remaining checks are skipped. */
  signal?: AbortSignal;
  checks?: readonly Check[];
  /** The target's accepted bugs in force (known-issues.json): a check they name that fails is `known`. A
   *  function when they depend on a generation the pass may tell on its way. */
  knownIssues?: readonly KnownIssue[] | (() => readonly KnownIssue[]);
}

export interface PassOutcome {
  pass: PassResult;
  tokens: TokenChanges;
  /** Secrets seen during the pass, for whoever writes text out. */
  secrets: string[];
}

/** How many tokens are kept at most, and how often a new one is kept (fraction of the lifetime). */
const MAX_KEPT = 6;
const KEEP_EVERY = 1 / 6;

async function attempt(check: Check, ctx: PassContext, n: number): Promise<Verdict> {
  try {
    return await check.run(ctx, n);
  } catch (err) {
    // A bad setting found on the way (latest generation, no inbox) stops the monitor: exit 2.
    if (err instanceof SettingsError) throw err;
    if (err instanceof RateLimitedError) return { status: 'throttled', message: err.message };
    if (err instanceof DetectionError) return { status: 'fail', message: err.message };
    if (err instanceof TransportError) return { status: 'fail', message: err.message };
    return { status: 'fail', message: `the check could not run: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** A known issue's verdict: its failure is expected (`known`); its pass means the bug has gone, a
 *  failure until the entry is removed (as Playwright's test.fail). */
function asKnown(v: Verdict, k: KnownIssue): Verdict {
  if (v.status === 'fail') return { ...v, status: 'known', message: `known issue ${k.id}: ${v.message}` };
  if (v.status === 'pass' || v.status === 'degraded')
    return { ...v, status: 'fail', message: `${fixedMessage(k)}; the check said: ${v.message}` };
  return v;
}

async function runCheck(check: Check, ctx: PassContext, o: PassOptions): Promise<CheckResult & { drop?: number[] }> {
  const started = performance.now();
  const retried: string[] = [];
  let verdict: Verdict = { status: 'fail', message: 'not run' };
  const known = knownIssueForCheck(check.name, (typeof o.knownIssues === 'function' ? o.knownIssues() : o.knownIssues) ?? []);
  // A known issue fails every time: retrying it would only make each pass longer.
  const retries = known ? 0 : o.retries;
  let n = 0;
  for (n = 1; n <= retries + 1; n++) {
    verdict = await attempt(check, ctx, n);
    // A 429 is not retried: more requests would only be refused too.
    if (verdict.status !== 'fail' || n === retries + 1 || o.signal?.aborted) break;
    retried.push(`attempt ${n}: ${verdict.message}`);
    try {
      await sleep(o.backoffMs * 2 ** (n - 1), undefined, { signal: o.signal });
    } catch {
      break;
    }
  }
  const attempts = Math.min(n, retries + 1);
  if (known) verdict = asKnown(verdict, known);
  // Redacted, and one line whatever the target sent: its control characters shown escaped in the
  // table, the history, the page and the alerts alike (core/terminal.ts).
  const scrub = (t: string) => terminalValue(redactText(t, ctx.secrets));
  const note =
    retried.length && verdict.status !== 'fail' ? ` (after ${retried.length} failed attempt${retried.length > 1 ? 's' : ''})` : '';
  return {
    name: check.name,
    status: verdict.status,
    durationMs: performance.now() - started,
    attempts,
    message: scrub(verdict.message + note),
    ...(retried.length ? { retried: retried.map(scrub) } : {}),
    // Field names come from the server: scrubbed like the message (a token echoed as a key).
    ...(verdict.drift?.length ? { drift: capDrift([...new Set(verdict.drift.map(scrub))]) } : {}),
    ...(verdict.drop ? { drop: verdict.drop } : {}),
    ...(known ? { knownIssue: describeKnownIssue(known) } : {}),
  };
}

export async function runPass(o: PassOptions): Promise<PassOutcome> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const ctx: PassContext = {
    api: o.api,
    state: o.state,
    target: o.target,
    config: o.config,
    credentials: o.credentials,
    generation: o.generation ?? 'documented',
    detect: o.detect,
    inbox: o.inbox,
    mailWaitMs: o.mailWaitMs ?? 30_000,
    kept: o.state.keptTokens(o.target),
    steps: new Map(),
    secrets: o.credentials ? [o.credentials.password] : [],
    passwords: [],
  };
  ctx.secrets.push(...ctx.kept.map((k) => k.token));
  const results: CheckResult[] = [];
  const tokens: TokenChanges = { target: o.target, drop: [] };
  const sentBefore = o.api.sent;
  // A check that means nothing for this target (the certificate of an http one) is not run at all.
  for (const check of (o.checks ?? CHECKS).filter((c) => c.appliesTo?.(o.api.baseUrl) ?? true)) {
    // The target's rate limit answered: every further request would be refused too.
    const throttled = results.find((x) => x.status === 'throttled');
    if (throttled) {
      results.push({
        name: check.name,
        status: 'skipped',
        durationMs: 0,
        attempts: 0,
        message: `not run: the target's rate limit stopped the pass at ${throttled.name}`,
      });
      continue;
    }
    const unmet = (check.needs ?? []).filter((need) => {
      const r = results.find((x) => x.name === need);
      return r !== undefined && !passed(r.status);
    });
    if (o.signal?.aborted) {
      results.push({ name: check.name, status: 'skipped', durationMs: 0, attempts: 0, message: 'not run: the monitor is stopping' });
      continue;
    }
    if (unmet.length) {
      const why = unmet.map((need) =>
        results.find((x) => x.name === need)?.status === 'known' ? `${need} failed (a known issue)` : `${need} failed`,
      );
      results.push({ name: check.name, status: 'skipped', durationMs: 0, attempts: 0, message: `not run: ${why.join(', ')}` });
      continue;
    }
    const { drop, ...result } = await runCheck(check, ctx, o);
    if (drop) tokens.drop.push(...drop);
    results.push(result);
  }
  // The passwords of this pass (the dedicated account's, a new one's) are redacted by whoever writes
  // next: the logs, the alerts, the status page.
  for (const p of ctx.passwords) addKnownSecret(p);
  const fresh = ctx.fresh;
  const works = results.find((r) => r.name === 'token-works');
  if (fresh && works && passed(works.status) && Number.isFinite(fresh.expireS)) {
    const alive = ctx.kept.filter((k) => !tokens.drop.includes(k.id));
    const newest = alive.at(-1);
    const lifetimeMs = fresh.expireS * 1000 - fresh.receivedAtMs || o.config.expectedLifetimeS * 1000;
    if (alive.length < MAX_KEPT && (!newest || fresh.receivedAtMs - newest.issuedAtMs >= lifetimeMs * KEEP_EVERY))
      tokens.keep = { token: fresh.token, issuedAtMs: fresh.receivedAtMs, expireS: Math.round(fresh.expireS) };
  }
  const lifetimeS =
    fresh && Number.isFinite(fresh.expireS) ? fresh.expireS - (dateHeaderS(fresh.headers.date) ?? fresh.receivedAtMs / 1000) : NaN;
  const pass: PassResult = {
    target: o.timeline ?? o.target,
    targetLabel: o.targetLabel,
    startedAt,
    durationMs: performance.now() - t0,
    status: results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'throttled') ? 'throttled' : 'pass',
    checks: results,
    steps: [...ctx.steps].map(([step, s]) => ({ step, ms: s.ms })),
    ...(fresh && Number.isFinite(fresh.expireS) ? { tokenExpireS: Math.round(fresh.expireS) } : {}),
    ...(Number.isFinite(lifetimeS) ? { tokenLifetimeS: lifetimeS } : {}),
    requests: o.api.sent - sentBefore,
    ...(o.api.rateLimit ? { rateLimit: o.api.rateLimit } : {}),
    ...(ctx.detection ? { generation: ctx.detection.generation } : {}),
    ...(ctx.certificate ? { certificate: ctx.certificate } : {}),
  };
  return { pass, tokens, secrets: ctx.secrets };
}
