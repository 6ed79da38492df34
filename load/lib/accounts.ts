// The accounts a run needs: pre-provisioned ones from LOAD_ACCOUNTS_FILE or LOAD_ACCOUNTS_JSON (a JSON
// array of {username, password}, read once into a SharedArray), or a pool registered by setup().
// Never printed: errors name the account's position, not its password or token.
import { SharedArray } from 'k6/data';
import { sleep } from 'k6';
import exec from 'k6/execution';
import http, { type ObjectBatchRequest, type Response } from 'k6/http';
import { API_PATHS } from '../../core/contract.ts';
import { unverifiedHint } from '../../core/mail/hints.ts';
import { RATE_LIMITED } from '../../core/rate-limit.ts';
import { k6CertProblem } from '../../core/tls-words.ts';
import { causeLine } from './causes.ts';
import { countFailure, redirectWords } from './checks.ts';

/** "429 (rate limited): the target's rate limit", or the status. */
const statusWords = (status: number): string =>
  status === 429 ? `${RATE_LIMITED.replace('answered ', '')}: the target's rate limit` : String(status);
import { segmentShare } from './segment.ts';
import { personLike } from '../../core/accounts.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** POST /v2/auth/login: JSON sent as text/plain, as the documented browser client does. `tags`
 *  name setup's requests; the scenario's own requests take the scenario's tag. */
export const loginRequest = (baseUrl: string, c: Credentials, timeoutMs: number, tags?: { name: string }) => ({
  method: 'POST' as const,
  url: `${baseUrl}${API_PATHS.login}`,
  body: JSON.stringify({ username: c.username, password: c.password }),
  params: { headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, timeout: timeoutMs, ...(tags && { tags }) },
});

/** POST /v2/auth/register as a form (the server takes urlencoded or multipart). */
const registerRequest = (baseUrl: string, c: Credentials & { email_address: string }, timeoutMs: number): ObjectBatchRequest => ({
  method: 'POST',
  url: `${baseUrl}${API_PATHS.register}`,
  body: { username: c.username, password: c.password, email_address: c.email_address },
  // Its body is never read: k6 keeps no copy of it (a target's endless answer costs no memory here).
  params: { tags: { name: 'setup:register' }, timeout: timeoutMs, responseType: 'none' },
});

function validAccounts(parsed: unknown, source: string): Credentials[] {
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`${source}: expected a non-empty JSON array of {username, password}`);
  parsed.forEach((a: unknown, i: number) => {
    const c = a as Partial<Credentials> | null;
    if (typeof c?.username !== 'string' || typeof c.password !== 'string' || !c.username || !c.password)
      throw new Error(`${source}: entry ${i} needs a non-empty username and password`);
  });
  return parsed as Credentials[];
}

/**
 * Pre-provisioned accounts, read once in the init context: LOAD_ACCOUNTS_FILE (a path; k6's open()
 * only works there) or LOAD_ACCOUNTS_JSON (the array itself, e.g. from a Kubernetes Secret, for
 * archive runs where only archived files can be opened). Undefined when neither is given.
 */
export function preProvisionedAccounts(path: string | undefined, json: string | undefined): Credentials[] | undefined {
  if (!path && !json) return undefined;
  const list = new SharedArray('accounts', () => {
    if (json) return validAccounts(JSON.parse(json), 'LOAD_ACCOUNTS_JSON');
    return validAccounts(JSON.parse(open(path as string)), `LOAD_ACCOUNTS_FILE (${path})`);
  });
  return list as unknown as Credentials[];
}

/**
 * The part of a pool of `count` this k6 process makes in setup(). A run split into execution segments
 * (the k6-operator's runners, `npm run load -e LOAD_INSTANCES=N`) runs setup() in every process, so
 * each takes its segment's share: the accounts registered (and, for credits, logged in) add up to the
 * pool asked, not the pool times the processes. Unsegmented: all of it.
 */
export function ourShare(count: number): { start: number; end: number } {
  return segmentShare(count, exec.test.options.executionSegment);
}

/** This process's accounts of a pre-provisioned list (see ourShare). */
export function ourAccounts(list: readonly Credentials[]): Credentials[] {
  const { start, end } = ourShare(list.length);
  return Array.from({ length: end - start }, (_, i) => list[start + i] as Credentials);
}

/** A staging blip (5xx, no answer) must not sink setup: those are retried a few times. */
const ATTEMPTS = 6;
/** A certificate refused now is refused in a second too: not retried. */
const transient = (r: Response): boolean => (r.status === 0 && !k6CertProblem(r.error_code, r.error)) || r.status >= 500;

/** Sends `requests` as parallel batches, re-sending the ones that failed transiently. */
function batchWithRetry(requests: ObjectBatchRequest[]): Response[] {
  const answers: Response[] = http.batch(requests);
  for (let attempt = 1; attempt < ATTEMPTS; attempt++) {
    const again = answers.map((r, i) => (transient(r) ? i : -1)).filter((i) => i >= 0);
    if (again.length === 0) break;
    sleep(0.2 * attempt);
    http.batch(again.map((i) => requests[i] as ObjectBatchRequest)).forEach((r, j) => {
      answers[again[j] as number] = r;
    });
  }
  return answers;
}

/** What setup got: the status, or why nothing came, in words. */
const answer = (res: Response): string =>
  res.status === 0 ? `nothing: ${causeLine(res.error_code, res.error, 0)}` : `${statusWords(res.status)}${redirectWords(res)}`;

/** Setup's failed answers, counted under their causes as the scripts' own are (the runner's summary says why). */
const countFailures = (answers: readonly Response[]): void => {
  for (const r of answers) if (r.status !== 200) countFailure(r);
};

const runId = (): string => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** Registers `count` fresh accounts, in parallel batches (bcrypt makes each one slow). */
export function registerPool(baseUrl: string, count: number, timeoutMs: number): Credentials[] {
  const id = runId();
  const accounts = Array.from({ length: count }, (_, i) => ({
    // Named as real users are (a dot, mixed case, a hyphen): a server that breaks on such names shows here too.
    username: `hx-load-${id}-${personLike(i)}`,
    password: `pw-${runId()}-${i}-Load!`,
    email_address: `hx-load-${id}-${personLike(i)}@example.test`,
  }));
  const answers = batchWithRetry(accounts.map((a) => registerRequest(baseUrl, a, timeoutMs)));
  countFailures(answers);
  answers.forEach((res, i) => {
    if (res.status !== 200)
      throw new Error(
        `setup: registering load account ${i + 1} of ${count} answered ${answer(res)}; ` +
          'give pre-provisioned accounts with LOAD_ACCOUNTS_FILE if this target does not allow registering',
      );
  });
  return accounts.map(({ username, password }) => ({ username, password }));
}

/** Logs every account in once, so the credits scenario measures credits, not login. */
export function loginPool(baseUrl: string, accounts: readonly Credentials[], timeoutMs: number): string[] {
  const answers = batchWithRetry(accounts.map((a) => loginRequest(baseUrl, a, timeoutMs, { name: 'setup:login' })));
  countFailures(answers);
  return answers.map((res, i) => {
    let token: unknown;
    try {
      token = res.status === 200 && typeof res.body === 'string' ? (JSON.parse(res.body) as { token?: unknown }).token : undefined;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new Error(
        `setup: logging in load account ${i + 1} of ${accounts.length} answered ` +
          `${answer(res)}${res.status === 200 ? ' without a token' : ''}` +
          `${res.status === 401 ? unverifiedHint(__ENV.TARGET_GENERATION) : ''}`,
      );
    return token;
  });
}
