// What every scenario works through: the typed client (paced, one request at a time), the run's
// account names, verification by mail, and the oracles every answer passes before a scenario looks
// at it (an answer at all, no 5xx, no empty 2xx, no secret in the body, the contract's shape).
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { type ApiResponse, TemporalClient } from '../core/client.ts';
import type { Endpoint, Generation } from '../core/contract.ts';
import { fetchTransport, TransportError, type Transport } from '../core/http.ts';
import { driftLabel, judgeAnswer, secretProblems } from '../core/judge.ts';
import type { Inbox } from '../core/mail/index.ts';
import { VerificationError, verifyByMail } from '../core/mail/verify.ts';
import { excerpt } from '../core/redact.ts';
import { accountName } from '../core/accounts.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import {
  BudgetSpent,
  CertificateRefused,
  type Failure,
  OutOfTime,
  PastTheStep,
  type Property,
  StepFailed,
  symptomKey,
  Throttled,
} from './properties.ts';
import { HIDDEN_PASSWORD_BYTES } from './text.ts';

export interface WorldOptions {
  baseUrl: string;
  generation: Generation;
  /** Upgrade (irreversible) may run: a local target, or ALLOW_UPGRADE=true. */
  upgradeAllowed: boolean;
  /** CONTRACT_STRICT: an added field is a failure too. */
  strict: boolean;
  timeoutMs: number;
  /** HTTP_MAX_BODY_BYTES: a larger answer is cut there (a body with no end must not take the memory). */
  maxBodyBytes?: number;
  /** Latest generation: where the accounts' mail is read. */
  inbox?: Inbox;
  mailWaitMs: number;
  /** The run id in account names (hx-<run id>-…). */
  runId: string;
  /** Least time between two requests, in ms (0 on this machine). */
  minGapMs: number;
  /** EXPLORE_REQUESTS: at most this many requests (the probe's included, counted in `requests` before). */
  maxRequests?: number;
  transport?: Transport;
}

/** What an answer may be, for a step: its status, its body's schema, and its message when it has one. */
export interface Outcome {
  status: number;
  schema: z.ZodType;
  /** The exact `response` (handlers) or `message` (gin-jwt) text, when the contract fixes it. */
  text?: string;
}

/** One request at a time, at least `gapMs` apart: exploring must never load the target. */
function paced(transport: Transport, gapMs: number): Transport {
  let next = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return (req) => {
    const turn = queue.then(async () => {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      next = Date.now() + gapMs;
      return transport(req);
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}

/** The handler's `response` or gin-jwt's `message`, when the body has one as a string. */
export function bodyText(res: ApiResponse): string | undefined {
  if (!res.json || typeof res.body !== 'object' || res.body === null) return undefined;
  const b = res.body as { response?: unknown; message?: unknown };
  return typeof b.response === 'string' ? b.response : typeof b.message === 'string' ? b.message : undefined;
}

/** Account names in a message are this run's, not the bug's: `hx-ab12cd-7` → `<account>`. */
const maskNames = (s: string): string => s.replace(/hx-[a-z0-9]+-\d+[^\s'"]*/g, '<account>');

/** "500 with an empty body", "400 'username not present'", "200 with a body that is not JSON (text/html, 1 kB)". */
export function describeAnswer(res: ApiResponse): string {
  const text = bodyText(res);
  if (text !== undefined) return `${res.status} '${excerpt(text, 120)}'`;
  if (res.text === '') return `${res.status} with an empty body`;
  if (!res.json) return `${res.status} with a body that is not JSON (${excerpt(res.headers['content-type'] ?? 'no Content-Type', 100)})`;
  return String(res.status);
}

export class World {
  readonly api: TemporalClient;
  /** Set once the run has told it (TARGET_GENERATION=auto: the probe). */
  generation: Generation;
  readonly upgradeAllowed: boolean;
  readonly runId: string;
  requests = 0;
  accounts = 0;
  /** EXPLORE_REQUESTS are spent: the search ends as at its deadline. */
  get spent(): boolean {
    return this.o.maxRequests !== undefined && this.requests >= this.o.maxRequests;
  }
  /** Fields the contract does not know, seen in any answer: news, not failures (unless strict). */
  readonly drift = new Set<string>();
  private seq = 0;
  /** When the run's time is spent (epoch ms): no request or wait goes past it (explore() sets it). */
  deadline = Number.POSITIVE_INFINITY;
  /** Set while a failure at this step is being shrunk: once the step passes, the run stops (PastTheStep). */
  shrinkingAt?: string;
  private readonly memos = new Map<string, Promise<unknown>>();
  /** Symptoms (symptomKey) of secret echoes already found or listed: noted, and the flow goes on, so a
   *  server that echoes a hash in every register answer still has its later steps explored. */
  tolerated: ReadonlySet<string> = new Set();
  /** Answers whose known secret echo was noted: the shape problems the echo brings (a hash where the
   *  contract says "scrubbed") are that same finding, not another one. */
  private readonly leaky = new WeakSet<ApiResponse>();

  constructor(private readonly o: WorldOptions) {
    this.generation = o.generation;
    this.upgradeAllowed = o.upgradeAllowed;
    this.runId = o.runId;
    // Each request is bounded by the time left (EXPLORE_SECONDS): one sent near the end must not run
    // HTTP_TIMEOUT_MS past it. A request cut by the budget, not by its own limit, is no finding. And by
    // EXPLORE_REQUESTS: past it, nothing more is sent.
    const counted: Transport = async (req) => {
      if (o.maxRequests !== undefined && this.requests >= o.maxRequests) throw new BudgetSpent(o.maxRequests);
      const left = this.deadline - Date.now();
      if (left <= 0) throw new OutOfTime();
      this.requests++;
      const cut = left < req.timeoutMs;
      try {
        return await (o.transport ?? fetchTransport)(cut ? { ...req, timeoutMs: Math.ceil(left) } : req);
      } catch (err) {
        if (cut && err instanceof TransportError && err.kind === 'timeout') throw new OutOfTime();
        throw err;
      }
    };
    this.api = new TemporalClient({
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs,
      maxBodyBytes: o.maxBodyBytes,
      transport: paced(counted, o.minGapMs),
    });
  }

  get latest(): boolean {
    return this.generation === 'latest';
  }

  /** `make()` once per run (a shared account, its token); a failure is not kept, so the next caller tries again. */
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memos.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.memos.set(key, p);
      p.catch(() => this.memos.delete(key));
    }
    return p;
  }

  /** A fresh account name of this run: `hx-<run id>-<n>`, so staging can be cleaned up. */
  newName(): string {
    this.seq += 1;
    return accountName('test', `${this.runId}-${this.seq}`);
  }

  /** A password's hidden part (HIDDEN_PASSWORD_BYTES plain characters), so a printed counterexample is never a working password. */
  secretPart(): string {
    return `Hx${randomBytes(8)
      .toString('hex')
      .slice(0, HIDDEN_PASSWORD_BYTES - 2)}`;
  }

  /**
   * Sends one request and puts its answer through the oracles every answer must pass. `secrets` are
   * the passwords this request or its account carry: none may come back in the body.
   */
  async send(
    endpoint: Endpoint,
    send: (api: TemporalClient) => Promise<ApiResponse>,
    secrets: readonly string[] = [],
  ): Promise<ApiResponse> {
    let res: ApiResponse;
    try {
      res = await send(this.api);
    } catch (err) {
      if (err instanceof RateLimitedError)
        throw new Throttled(`${err.message}; the exploration stopped there (EXPLORE_REQUESTS bounds what it spends)`);
      if (!(err instanceof TransportError)) throw err;
      if (err.kind === 'tls') throw new CertificateRefused(`${endpoint}: ${err.phrase} (${err.detail})`);
      throw new StepFailed({
        property: 'answers',
        where: endpoint,
        symptom: err.kind,
        // A redirect is an answer, never followed: where it pointed is the finding.
        message: err.kind === 'redirect' ? `${endpoint}: ${err.phrase}` : `${endpoint} got no answer: ${TransportError.words[err.kind]}`,
      });
    }
    if (res.status >= 500)
      throw new StepFailed({
        property: 'no-5xx',
        where: endpoint,
        symptom: `answered ${res.status}${res.text === '' ? ' with an empty body' : ''}`,
        message: `${endpoint} answered ${describeAnswer(res)}`,
      });
    if (res.status >= 200 && res.status < 300 && res.text === '')
      throw new StepFailed({
        property: 'no-empty-2xx',
        where: endpoint,
        symptom: `answered ${res.status} with an empty body`,
        message:
          `${endpoint} answered ${res.status} with an empty body (Content-Length ${res.headers['content-length'] ?? '?'}, ` +
          `${res.headers['content-type'] ?? 'no Content-Type'}): a client cannot tell what happened`,
      });
    const leaks = secretProblems(res, Object.fromEntries(secrets.map((s, i) => [`a password of this flow (#${i + 1})`, s])));
    if (leaks.length) {
      const leak: Failure = {
        property: 'no-secret-echo',
        where: endpoint,
        symptom: leaks.map((l) => l.replace(/ \(#\d+\)/, '')).join('; '),
        message: `${endpoint} answered ${res.status} with a secret in it: ${leaks.join('; ')}`,
      };
      if (!this.tolerated.has(symptomKey(leak))) throw new StepFailed(leak);
      this.leaky.add(res);
    }
    return res;
  }

  /**
   * Holds `res` to what the step may answer: one of `outcomes` (else `property` fails at `step`),
   * in the contract's shape (else `contract` fails), with the contract's message. Returns the parsed body.
   */
  expect(
    step: string,
    endpoint: Endpoint,
    res: ApiResponse,
    property: Property,
    outcomes: readonly Outcome[],
    o: {
      context?: string;
      /** The caller checks more of this step and calls passed() itself. */
      more?: boolean;
      /** The symptom when the answer is not one of `outcomes`, whatever it is instead: where the contract
       *  predicts a refusal for a rule, any other answer is that rule not enforced, one root cause. */
      symptom?: string;
      /** The finding's `where` when several steps check the same thing (default: `step`). */
      where?: string;
    } = {},
  ): unknown {
    const context = o.context ?? '';
    // The outcome of this status whose message is the answer's, else the first of this status.
    const outcome =
      outcomes.find((x) => x.status === res.status && (x.text === undefined || x.text === bodyText(res))) ??
      outcomes.find((x) => x.status === res.status);
    const at = o.where === undefined || o.where === step ? { where: step } : { where: o.where, step };
    const wanted = [...new Set(outcomes.map((o) => (o.text ? `${o.status} '${o.text}'` : String(o.status))))].join(' or ');
    if (!outcome)
      throw new StepFailed({
        property,
        ...at,
        symptom: o.symptom ?? `answered ${res.status}, expected ${[...new Set(outcomes.map((o) => o.status))].join(' or ')}`,
        message: `${step} answered ${describeAnswer(res)}, expected ${wanted}${context}`,
      });
    const verdict = judgeAnswer(outcome.schema, res, { status: outcome.status, strict: this.o.strict });
    for (const d of verdict.drift) this.drift.add(driftLabel(d, endpoint));
    // An answer whose known secret echo was noted is judged on its status and message only.
    if (!verdict.ok && !this.leaky.has(res)) {
      const problems = verdict.problems.map((p) => p.replace(/, \d+ bytes\)/, ')'));
      throw new StepFailed({
        property: 'contract',
        where: `${endpoint} ${res.status}`,
        symptom: problems.join('; '),
        message: `${endpoint} answered ${res.status} out of the contract's shape: ${problems.join('; ')}`,
      });
    }
    const got = bodyText(res);
    if (outcome.text !== undefined && got !== outcome.text)
      throw new StepFailed({
        property,
        ...at,
        symptom: o.symptom ?? `answered ${res.status} '${maskNames(excerpt(got ?? '', 120))}', expected '${outcome.text}'`,
        message: `${step} answered ${describeAnswer(res)}, expected ${wanted}${context}`,
      });
    if (!o.more) this.passed(step);
    return verdict.ok ? verdict.data : res.body;
  }

  /** A scenario's own check of a step passed (expect() calls it; so do checks made outside it). */
  passed(step: string): void {
    if (this.shrinkingAt === step) throw new PastTheStep();
  }

  /** Latest generation: opens the link mailed to the account, as its owner would. */
  async verify(account: { username: string; email_address: string }): Promise<void> {
    if (!this.latest) return;
    if (!this.o.inbox) throw new Error('the latest generation needs an inbox (MAIL_INBOX_URL)');
    // The wait for the mail is bounded by the time the run has left, too.
    const left = this.deadline - Date.now();
    if (left <= 0) throw new OutOfTime();
    const cut = left < this.o.mailWaitMs;
    try {
      await verifyByMail(this.api, this.o.inbox, account, cut ? left : this.o.mailWaitMs);
    } catch (err) {
      if (!(err instanceof VerificationError)) throw err;
      // No mail within a wait the budget cut short: the budget ended it, not the target.
      if (err.stage === 'mail' && cut) throw new OutOfTime();
      const what =
        err.stage === 'mail'
          ? 'no verification mail came'
          : err.stage === 'link'
            ? 'the mail holds no verification link'
            : err.stage === 'again'
              ? 'the link breaks when opened a second time'
              : 'the link in the mail does not verify the account';
      throw new StepFailed({
        property: 'round-trip',
        where: 'verify the e-mail address',
        symptom: what,
        message: `the account cannot be verified: ${what}${err.status ? ` (it answered ${err.status})` : ''}: ${maskNames(err.message)}`,
        // However the link breaks (a 404, a 400 for another user), it is the one link the server writes.
        byInput: false,
      });
    }
    this.passed('verify the e-mail address');
  }
}
