// TARGET_GENERATION=auto: the first account a run makes tells the generation of the API. A new
// account that logs in right after registering is of the documented generation; one that cannot (401)
// until the link mailed to it is opened is of the latest. One detector, used by every part that makes
// accounts against a TARGET_URL (the Playwright runner, the monitor, the load runner, the explorer,
// conformance) and once by the release check for all its parts. It costs 2 requests (documented) or
// 4 (latest: register, login refused, the mailed link, login again), and what it learns is reused: the
// account it made (verified, able to log in), and the rate limit its answers announced.
import type { ApiResponse, TemporalClient } from './client.ts';
import type { Account } from './accounts.ts';
import type { Generation, GenerationChoice } from './contract.ts';
import { missingInbox, unusableInbox, type Inbox } from './mail/index.ts';
import { VerificationError, verifyByMail } from './mail/verify.ts';
import { SettingsError } from './settings.ts';
import type { RateLimit } from './rate-limit.ts';
import { redactThenCut } from './redact.ts';

/** What a part knows of its target's generation, and how it came to know it. */
export interface Detection {
  generation: Generation;
  /** `given` (TARGET_GENERATION), `detected` (the probe), `bundled` (the bundled target's own setting),
   *  `assumed` (auto, but the run makes no account to tell by: taken as documented). */
  how: 'given' | 'detected' | 'bundled' | 'assumed';
  /** Why, in words: "a new account could not log in (401) until the link mailed to it was opened". */
  why: string;
  /** Requests the probe sent (0 when nothing was probed). */
  requests: number;
  /** The probe's account: `usable` when it can log in now (documented; latest once verified). */
  account?: Account & { usable: boolean };
  /** What the probe's answers announced of the rate limit. */
  rateLimit?: RateLimit;
  /** The probe's register answer (a part that keeps the account judges it as its own). */
  register?: ApiResponse;
}

/** The target answered the probe in a way that tells no generation (an error status, not JSON). */
export class DetectionError extends Error {
  override name = 'DetectionError';
}

/** The bundled target's generation: its own setting (auto is documented, its default). */
export const bundledGeneration = (choice: GenerationChoice): Generation => (choice === 'latest' ? 'latest' : 'documented');

/** A generation that needs no probe: given, or the bundled target's. Undefined: auto against TARGET_URL. */
export function knownGeneration(s: { TARGET_URL?: string; TARGET_GENERATION: GenerationChoice }): Detection | undefined {
  if (s.TARGET_GENERATION !== 'auto')
    return { generation: s.TARGET_GENERATION, how: 'given', why: `TARGET_GENERATION=${s.TARGET_GENERATION}`, requests: 0 };
  if (!s.TARGET_URL) return { generation: 'documented', how: 'bundled', why: "the bundled target's own setting", requests: 0 };
  return undefined;
}

/** Auto, but the run makes no account to tell by (only accounts given beforehand are used). */
export const assumedGeneration = (reason: string): Detection => ({
  generation: 'documented',
  how: 'assumed',
  why: `not detected: ${reason}; taken as documented (set TARGET_GENERATION to say)`,
  requests: 0,
});

const short = (res: ApiResponse, secrets: readonly string[]): string => {
  const text = redactThenCut(res.text.replace(/\s+/g, ' ').trim(), 120, secrets);
  return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
};

export interface ProbeOptions {
  /** The account to register (named for the part that probes: it may keep it). */
  account: Account;
  /** Where its mail is read; without one, a latest target is told by the refused login alone. */
  inbox?: Inbox;
  mailWaitMs: number;
}

/**
 * Registers `account` and logs it in. Login 200: documented. Login 401: latest; with an inbox, the
 * mailed link is opened and the login tried again, to confirm it (and leave the account usable).
 * Throws DetectionError when the answers tell nothing, MailError-like VerificationError (stage
 * `mail`) when no mail came to the inbox, and the client's RateLimitedError/TransportError as they come.
 */
export async function detectGeneration(api: TemporalClient, o: ProbeOptions): Promise<Detection> {
  const sent = api.sent;
  const secrets = [o.account.password];
  let reg: ApiResponse | undefined;
  const done = (d: Omit<Detection, 'requests' | 'rateLimit' | 'how'>): Detection => ({
    ...d,
    how: 'detected',
    register: reg,
    requests: api.sent - sent,
    ...(api.rateLimit ? { rateLimit: api.rateLimit } : {}),
  });
  reg = await api.register(o.account);
  if (reg.status !== 200 || !reg.json)
    throw new DetectionError(`could not tell the generation of the API: registering a probe account answered ${short(reg, secrets)}`);
  const first = await api.login(o.account);
  if (first.status === 200)
    return done({
      generation: 'documented',
      why: 'a new account logged in right after registering',
      account: { ...o.account, usable: true },
    });
  if (first.status !== 401)
    throw new DetectionError(
      `could not tell the generation of the API: a new account's login answered ${short(first, secrets)}, expected 200 or 401`,
    );
  const refused = 'a new account could not log in right after registering (login 401)';
  if (!o.inbox)
    return done({ generation: 'latest', why: `${refused}: it must be verified first`, account: { ...o.account, usable: false } });
  try {
    await verifyByMail(api, o.inbox, o.account, o.mailWaitMs);
  } catch (err) {
    // No mail: the inbox is not the target's (the caller says so, naming MAIL_INBOX_URL). A link that
    // came but did not verify is the API's failure: the generation is latest all the same.
    if (!(err instanceof VerificationError) || err.stage === 'mail') throw err;
    return done({
      generation: 'latest',
      why: `${refused}, and the link mailed to it failed: ${err.message}`,
      account: { ...o.account, usable: false },
    });
  }
  const again = await api.login(o.account);
  return done({
    generation: 'latest',
    why:
      again.status === 200
        ? `${refused} until the link mailed to it was opened`
        : `${refused}, nor after the link mailed to it was opened (login answered ${short(again, secrets)})`,
    account: { ...o.account, usable: again.status === 200 },
  });
}

/** The one line every part prints: "Generation: latest, detected: a new account … (5 requests)". */
export function detectionLine(d: Detection): string {
  if (d.how === 'detected') return `Generation: ${d.generation}, detected: ${d.why} (${d.requests} requests)`;
  if (d.how === 'assumed') return `Generation: ${d.why}`;
  return `Generation: ${d.generation} (${d.why})`;
}

/** An explicit TARGET_GENERATION the target contradicts, in words; undefined when they agree. */
export function contradiction(given: Generation, shown: Detection): string | undefined {
  if (shown.how !== 'detected' || shown.generation === given) return undefined;
  return (
    `TARGET_GENERATION=${given}, but the target shows the ${shown.generation} generation (${shown.why}); the run goes on as ` +
    `${given}, as set: unset TARGET_GENERATION (auto) to follow the target`
  );
}

export interface PartProbe {
  settings: { TARGET_URL?: string; TARGET_GENERATION: GenerationChoice; MAIL_INBOX_URL?: string; MAIL_WAIT_S: number };
  /** Where the part sends its traffic: the bundled target says its own generation. */
  target: { generation?: Generation };
  /** The part's client (it counts the probe's requests, and keeps the rate limit they announced). */
  api: TemporalClient;
  /** The inbox the part reads its accounts' mail from (MAIL_INBOX_URL), if it has one. */
  inbox?: Inbox;
  /** For the sentence that stops a latest run without an inbox: "the flow project", "the explorer". */
  part: string;
  /** The accounts given beforehand that would do instead of an inbox, if the part takes any. */
  preVerified?: string;
  /** Does the part make accounts? If not, there is nothing to tell by: the generation is assumed. */
  makesAccounts: boolean | string;
  /** The probe account, named for the part. */
  account: () => Account;
}

/**
 * A part's generation before its traffic: given, the bundled target's, assumed (no account made), or
 * told by a probe account. A latest target without a usable inbox is a bad setting (SettingsError,
 * exit 2, no further traffic). The probe's own errors (RateLimitedError, TransportError,
 * DetectionError) are the caller's to judge.
 */
export async function partGeneration(o: PartProbe): Promise<Detection> {
  const known = knownGeneration({ ...o.settings, TARGET_URL: o.target.generation ? undefined : o.settings.TARGET_URL });
  if (known?.how === 'bundled' && o.target.generation) return { ...known, generation: o.target.generation };
  if (known) return known;
  if (o.makesAccounts !== true)
    return assumedGeneration(typeof o.makesAccounts === 'string' ? o.makesAccounts : 'this run makes no account');
  let d: Detection;
  try {
    d = await detectGeneration(o.api, { account: o.account(), inbox: o.inbox, mailWaitMs: o.settings.MAIL_WAIT_S * 1000 });
  } catch (err) {
    if (err instanceof VerificationError && err.stage === 'mail' && o.inbox)
      throw new SettingsError([unusableInbox(o.inbox.label, o.part, err.message)]);
    throw err;
  }
  const noInbox = o.inbox ? undefined : missingInbox({ ...o.settings, TARGET_GENERATION: d.generation }, o.part, o.preVerified, d.why);
  if (noInbox) throw new SettingsError([noInbox]);
  return d;
}
