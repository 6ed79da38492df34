// What checks share within one pass: the client, the settings they judge by, what login produced,
// and the timing of every request (the latency check reads those).
import type { z } from 'zod';
import type { ApiResponse, TemporalClient } from '../../core/client.ts';
import type { Account } from '../../core/accounts.ts';
import type { Generation } from '../../core/contract.ts';
import type { Detection } from '../../core/generation.ts';
import type { Inbox } from '../../core/mail/index.ts';
import { driftLabel, judgeAnswer } from '../../core/judge.ts';
import { excerpt } from '../../core/redact.ts';
import type { KeptToken, MonitorState } from '../state.ts';
import type { CertificateInfo, CheckName, CheckStatus } from '../types.ts';

export interface CheckConfig {
  toleranceS: number;
  expectedLifetimeS: number;
  latencyDegradedMs: number;
  latencyFailMs: number;
  /** CONTRACT_STRICT: a field the contract does not know fails the check. */
  contractStrict?: boolean;
  /** The certificate check: degraded with fewer days left than this, failing with fewer than certFailDays. */
  certWarnDays?: number;
  certFailDays?: number;
}

export interface FreshToken {
  /** The account it was issued for (the dedicated one, or MONITOR_USERNAME). */
  username: string;
  token: string;
  expire: string;
  expireS: number;
  /** The login answer's headers (its Date header is the server's clock). */
  headers: Record<string, string>;
  /** Local clock when the answer arrived, ms. */
  receivedAtMs: number;
}

export interface TimedStep {
  ms: number;
  /** Sends the same request again (the latency check re-times a slow step before it counts it). */
  replay: () => Promise<ApiResponse>;
}

export interface PassContext {
  api: TemporalClient;
  state: MonitorState;
  /** The state key of the target (its URL, or `bundled`). */
  target: string;
  config: CheckConfig;
  /** MONITOR_USERNAME/PASSWORD when given; else the dedicated account is read from or registered into the state. */
  credentials?: { username: string; password: string };
  /** `latest`: the dedicated account is verified through `inbox` before it can log in. `auto`: not told
   *  yet; the login check tells it (`detect`) when it makes the dedicated account. */
  generation: Generation | 'auto';
  /** Registers `account` and tells the generation by it (core/generation.ts), verifying it on a latest
   *  target; throws SettingsError when a latest target has no usable MAIL_INBOX_URL. */
  detect?: (account: Account) => Promise<Detection>;
  /** What `detect` told, in this pass. */
  detection?: Detection;
  inbox?: Inbox;
  mailWaitMs: number;
  /** This pass made a dedicated account (its first, or a new one for a refused one): at most one is
   *  made per pass, whatever the retries. */
  accountMade?: boolean;
  /** What the pass did about the dedicated account, for the login check's message. */
  accountNote?: string;
  /** Its mailed link verified it but broke when opened a second time: the login check fails saying so,
   *  on a retry too (the account, verified, would log in and hide it). */
  linkProblem?: string;
  fresh?: FreshToken;
  kept: KeptToken[];
  steps: Map<string, TimedStep>;
  /** What the certificate check read (https targets). */
  certificate?: CertificateInfo;
  /** Every secret this pass has seen, to scrub from anything that leaves the process. */
  secrets: string[];
  /** The passwords this pass sends: no answer may hold one (tokens are not here: login hands them out). */
  passwords: string[];
}

export interface Verdict {
  /** skipped: nothing to judge (not a failure, not a recovery). */
  status: CheckStatus;
  message: string;
  /** Kept tokens this attempt proved refused after expiry (token-across-runs). */
  drop?: number[];
  /** Fields the contract does not know, with their endpoint (`response.Organization (register)`). */
  drift?: string[];
}

export interface Check {
  name: CheckName;
  /** Checks whose failure makes this one meaningless: it is then skipped, not failed (no double alert). */
  needs?: CheckName[];
  /** Whether the check means anything for this target (the certificate check: https only); default yes. Not run otherwise. */
  appliesTo?: (baseUrl: string) => boolean;
  run(ctx: PassContext, attempt: number): Promise<Verdict>;
}

/** Sends a request and records its time under `step`. */
export async function timed(ctx: PassContext, step: string, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  const res = await send();
  ctx.steps.set(step, { ms: res.ms, replay: send });
  return res;
}

/**
 * Judges a 200 answer by the one contract policy (core/judge.ts): the pass's CONTRACT_STRICT, and no
 * password of this pass anywhere in the body. Problems come as one sentence ("the login answer
 * breaks the contract: ..."); drift labelled with its endpoint.
 */
export function judge<S extends z.ZodType>(ctx: PassContext, schema: S, res: ApiResponse) {
  const v = judgeAnswer(schema, res, { status: 200, strict: ctx.config.contractStrict, secrets: ctx.passwords });
  const drift = v.drift.map((d) => driftLabel(d, res.endpoint));
  const broken = v.ok ? undefined : `the ${res.endpoint ?? 'API'} answer breaks the contract: ${v.problems.join('; ')}`;
  return { ...v, drift, broken };
}

/** "HTTP 503: {"code":503,...}" — short, secrets scrubbed, for a failure message. */
export function describeAnswer(res: ApiResponse, secrets: string[] = []): string {
  const type = res.headers['content-type'] ?? 'no content type';
  // Redact, then collapse and cut: a secret altered or split first would no longer be recognised (issues 10, 21).
  const shown = excerpt(res.text, 160, secrets);
  const kind = res.json ? '' : shown === '' ? ' with an empty body' : ` with a non-JSON body (${excerpt(type, 100, secrets)})`;
  return `HTTP ${res.status}${kind}${shown ? `: ${shown}` : ''}`;
}

export const ms = (x: number): string => `${Math.round(x)} ms`;
