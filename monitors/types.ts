// The words the monitor's parts share: a check's result, a pass.
import type { RateLimit } from '../core/rate-limit.ts';

/** pass and degraded count as passed (exit 0); skipped = could not run because a check it needs
 *  failed; known = failed as a known issue in force says it does (known-issues.json): not a pass, but
 *  not a failure either (exit 0, no alert; it ends a run of failures). A known issue's check that
 *  passes is a failure, "no longer happens", until its entry is removed. throttled = the target's rate
 *  limit answered (429) instead of the API: neither pass nor fail, nobody is paged, and the pass is
 *  left out of uptime and of a run of failures. */
export type CheckStatus = 'pass' | 'degraded' | 'fail' | 'skipped' | 'known' | 'throttled';
/** A pass: failed if a check failed; throttled if none failed but the rate limit cut it short. */
export type PassStatus = 'pass' | 'fail' | 'throttled';

export const CHECK_NAMES = ['login', 'token-lifetime', 'token-works', 'refresh', 'token-across-runs', 'latency', 'certificate'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  /** Wall time of the check, retries and back-off included. */
  durationMs: number;
  /** How many times it ran (1 = no retry). */
  attempts: number;
  /** For the person on call; never holds a secret. */
  message: string;
  /** What the earlier attempts said, when it was retried (recorded, not hidden). */
  retried?: string[];
  /** Fields the contract does not know, seen in the answers it read (`response.Organization (register)`):
   *  news, not a failure (unless CONTRACT_STRICT=true). */
  drift?: string[];
  /** The known issue in force that names this check ("id: reason (known since …)"), whether it
   *  showed (status known) or not (status fail: it no longer happens). */
  knownIssue?: string;
}

/** The certificate check's thresholds (MONITOR_CERT_WARN_DAYS, MONITOR_CERT_FAIL_DAYS): Checkly's and
 *  cert-manager's habit of renewing a fortnight ahead; under three days it pages. */
export const DEFAULT_CERT_WARN_DAYS = 14;
export const DEFAULT_CERT_FAIL_DAYS = 3;

/** The TLS certificate an https target served (the certificate check). */
export interface CertificateInfo {
  /** When the first certificate of the served chain expires (unix s): what the metric and the status page show. */
  notAfterS: number;
  /** The leaf's subject and issuer ("CN=api.example.com"). */
  subject: string;
  issuer: string;
  /** The subject of the certificate that expires first, when it is not the leaf (an intermediate). */
  earliest?: string;
}

export interface StepTiming {
  step: string;
  ms: number;
}

export interface PassResult {
  /** The history (timeline) key: TARGET_ENV, else TARGET_URL or `bundled`; with `+faults:…` when the
   *  bundled target injects faults, so fault runs never mix into the clean history. */
  target: string;
  targetLabel: string;
  startedAt: number;
  durationMs: number;
  status: PassStatus;
  checks: CheckResult[];
  steps: StepTiming[];
  /** The fresh token's expire (unix s), when login worked: for "time to expiry". */
  tokenExpireS?: number;
  /** The fresh token's lifetime as issued: expire − the server's Date (s), when login worked. */
  tokenLifetimeS?: number;
  /** The certificate an https target served, when the certificate check could read it. */
  certificate?: CertificateInfo;
  /** The pass ran inside a maintenance window (recorded as usual; alerts held; left out of uptime). */
  maintenance?: boolean;
  /** Requests the pass sent to the target (counted by the client). */
  requests?: number;
  /** The rate limit the target's answers announced, when they did (core/rate-limit.ts). */
  rateLimit?: RateLimit;
  /** What the pass learnt of the target's generation, when it told it (TARGET_GENERATION=auto). */
  generation?: string;
}

export const passed = (s: CheckStatus): boolean => s === 'pass' || s === 'degraded';
