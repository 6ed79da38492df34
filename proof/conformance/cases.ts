// The requests the conformance script sends, in order, to the real server and to the reference
// target alike: every route of the contract, each way it can be refused, and the middleware every
// answer goes through (CORS, the rate limit, the request id, the 404s). Each side keeps its own state
// (its accounts, tokens, mailed links); the same usernames are used on both, so bodies that name
// them compare as equal.
import { randomBytes } from 'node:crypto';
import type { ApiResponse, TemporalClient } from '../../core/client.ts';
import { API_PATHS } from '../../core/contract.ts';
import type { Inbox } from '../../core/mail/index.ts';
import { verificationLink } from '../../core/mail/verify.ts';
import { claimsFor, foreignToken, signToken, tamperSignature, unsignedToken } from '../../fixtures/forge.ts';

export interface Side {
  name: 'real' | 'reference';
  api: TemporalClient;
  inbox: Inbox;
  /** The side's signing key, when known: the cases that forge validly signed tokens need it. */
  key?: string;
  mailWaitMs: number;
  /** What earlier cases left for later ones: tokens, the mailed links. */
  token?: string;
  link?: string;
  otherLink?: string;
}

export interface Accounts {
  a: { username: string; password: string; email_address: string };
  /** Registered, never verified. */
  u: { username: string; password: string; email_address: string };
  newPassword: string;
}

export interface Case {
  name: string;
  /** Needs the signing key of both sides (TARGET_JWT_KEY): skipped without it. */
  needsKey?: boolean;
  /** Only the latest generation mails a verification link. */
  latestOnly?: boolean;
  send(side: Side, acc: Accounts): Promise<ApiResponse>;
  /** After the answer: what later cases need from it. */
  after?(side: Side, res: ApiResponse): void;
}

/** Fresh accounts for one run (the same names on both sides; unique on the real server, which keeps them). */
export function freshAccounts(): Accounts {
  const id = randomBytes(4).toString('hex');
  const mk = (n: string) => ({
    username: `hxc-${id}-${n}`,
    password: `hx-pw-${randomBytes(8).toString('hex')}`,
    email_address: `hxc-${id}-${n}@example.com`,
  });
  return { a: mk('a'), u: mk('u'), newPassword: `hx-pw-${randomBytes(8).toString('hex')}` };
}

const text = (data: string, contentType = 'text/plain;charset=UTF-8') => ({ kind: 'text' as const, contentType, data });
const tokenOf = (res: ApiResponse): string | undefined =>
  (res.json ? (res.body as { token?: unknown }).token : undefined) as string | undefined;

/** Reads the newest mail to `who` from the side's inbox and returns its link's path. */
async function mailedPath(side: Side, who: Accounts['a']): Promise<string> {
  const mail = await side.inbox.waitForMail({ address: who.email_address, username: who.username }, { timeoutMs: side.mailWaitMs });
  const link = verificationLink(mail);
  if (!link) throw new Error(`the ${side.name} side's mail to ${who.email_address} holds no verification link`);
  return link.path;
}

export const CASES: Case[] = [
  // ---- register ----
  { name: 'register: a new account', send: (s, x) => s.api.register(x.a) },
  { name: 'register: a second account (left unverified)', send: (s, x) => s.api.register(x.u) },
  { name: 'register: the username is taken', send: (s, x) => s.api.register({ ...x.u, email_address: `other-${x.u.email_address}` }) },
  { name: 'register: the e-mail address is taken', send: (s, x) => s.api.register({ ...x.u, username: `${x.u.username}-2` }) },
  { name: 'register: no username', send: (s, x) => s.api.register({ password: x.u.password, email_address: x.u.email_address }) },
  { name: 'register: no password', send: (s, x) => s.api.register({ username: x.u.username, email_address: x.u.email_address }) },
  { name: 'register: no e-mail address', send: (s, x) => s.api.register({ username: x.u.username, password: x.u.password }) },
  {
    name: 'register: a + in the e-mail address',
    send: (s, x) => s.api.register({ ...x.u, username: `${x.u.username}-p`, email_address: `p+${x.u.email_address}` }),
  },
  { name: 'register: an @ in the username', send: (s, x) => s.api.register({ ...x.u, username: `${x.u.username}@x` }) },
  {
    name: 'register: JSON instead of a form',
    send: (s, x) => s.api.raw('POST', API_PATHS.register, { body: text(JSON.stringify(x.u), 'application/json') }),
  },
  // ---- e-mail verification ----
  {
    name: 'login: before the e-mail address is verified',
    send: (s, x) => s.api.login({ username: x.u.username, password: x.u.password }),
  },
  {
    name: 'verify: a tampered link',
    latestOnly: true,
    async send(s, x) {
      s.link = await mailedPath(s, x.a);
      s.otherLink = await mailedPath(s, x.u);
      const token = s.link.split('/').at(-1)!;
      return s.api.verifyEmail(`${s.link.slice(0, -token.length)}${tamperSignature(token)}`);
    },
  },
  {
    name: "verify: another account's token on my path",
    latestOnly: true,
    send: (s) => s.api.verifyEmail(`${s.link!.split('/').slice(0, -1).join('/')}/${s.otherLink!.split('/').at(-1)}`),
  },
  { name: 'verify: the mailed link', latestOnly: true, send: (s) => s.api.verifyEmail(s.link!) },
  { name: 'verify: the mailed link, a second time', latestOnly: true, send: (s) => s.api.verifyEmail(s.link!) },
  // ---- login ----
  {
    name: 'login: the right password (JSON sent as text/plain, as the documented client does)',
    send: (s, x) => s.api.login({ username: x.a.username, password: x.a.password }),
    after: (s, res) => {
      s.token = tokenOf(res);
    },
  },
  {
    name: 'login: the right password, Content-Type application/json',
    send: (s, x) =>
      s.api.raw('POST', API_PATHS.login, {
        body: text(JSON.stringify({ username: x.a.username, password: x.a.password }), 'application/json'),
      }),
  },
  { name: 'login: by e-mail address', send: (s, x) => s.api.login({ username: x.a.email_address, password: x.a.password }) },
  { name: 'login: a wrong password', send: (s, x) => s.api.login({ username: x.a.username, password: `${x.a.password}-wrong` }) },
  { name: 'login: an unknown user', send: (s, x) => s.api.login({ username: `${x.a.username}-nobody`, password: x.a.password }) },
  { name: 'login: an empty JSON object', send: (s) => s.api.login({}) },
  { name: 'login: no password', send: (s, x) => s.api.login({ username: x.a.username }) },
  { name: 'login: an empty username', send: (s, x) => s.api.login({ username: '', password: x.a.password }) },
  {
    name: 'login: a form body instead of JSON',
    send: (s, x) =>
      s.api.raw('POST', API_PATHS.login, {
        body: text(`username=${x.a.username}&password=${x.a.password}`, 'application/x-www-form-urlencoded'),
      }),
  },
  // ---- refresh ----
  { name: 'refresh: the login token', send: (s) => s.api.refresh(s.token) },
  { name: 'refresh: no token', send: (s) => s.api.refresh(undefined) },
  { name: 'refresh: another scheme (Basic)', send: (s) => s.api.refresh({ header: 'Basic aHg6aHg=' }) },
  { name: 'refresh: a garbage token', send: (s) => s.api.refresh('not-a-token') },
  { name: 'refresh: a tampered signature', send: (s) => s.api.refresh(tamperSignature(s.token!)) },
  { name: 'refresh: an unsigned token (alg: none)', send: (s, x) => s.api.refresh(unsignedToken(claimsFor(x.a.username))) },
  { name: 'refresh: a token signed with another key', send: async (s, x) => s.api.refresh(await foreignToken(claimsFor(x.a.username))) },
  {
    name: 'refresh: a login more than 24 h old',
    needsKey: true,
    send: async (s, x) => s.api.refresh(await signToken(claimsFor(x.a.username, { ageS: 90_000, lifetimeS: 86_400 }), s.key!)),
  },
  // ---- the auth middleware on credits ----
  { name: 'credits: the login token', send: (s) => s.api.creditsAvailable(s.token) },
  { name: 'credits: no token', send: (s) => s.api.creditsAvailable(undefined) },
  { name: 'credits: another scheme (Basic)', send: (s) => s.api.creditsAvailable({ header: 'Basic aHg6aHg=' }) },
  { name: 'credits: a garbage token', send: (s) => s.api.creditsAvailable('not-a-token') },
  { name: 'credits: a tampered signature', send: (s) => s.api.creditsAvailable(tamperSignature(s.token!)) },
  { name: 'credits: an unsigned token (alg: none)', send: (s, x) => s.api.creditsAvailable(unsignedToken(claimsFor(x.a.username))) },
  {
    name: 'credits: a token signed with another key',
    send: async (s, x) => s.api.creditsAvailable(await foreignToken(claimsFor(x.a.username))),
  },
  {
    name: 'credits: an expired token, validly signed',
    needsKey: true,
    send: async (s, x) => s.api.creditsAvailable(await signToken(claimsFor(x.a.username, { ageS: 2 * 86_400 }), s.key!)),
  },
  {
    name: 'credits: a valid token of the unverified account',
    needsKey: true,
    send: async (s, x) => s.api.creditsAvailable(await signToken(claimsFor(x.u.username), s.key!)),
  },
  // ---- account routes ----
  { name: 'usage: a new account', send: (s) => s.api.usage(s.token) },
  { name: 'token/username', send: (s) => s.api.tokenUsername(s.token) },
  { name: 'password change: no old_password', send: (s, x) => s.api.changePassword(s.token, { new_password: x.a.password }) },
  { name: 'password change: no new_password', send: (s, x) => s.api.changePassword(s.token, { old_password: x.a.password }) },
  {
    name: 'password change: a wrong old password',
    send: (s, x) => s.api.changePassword(s.token, { old_password: `${x.a.password}-wrong`, new_password: x.newPassword }),
  },
  {
    name: 'password change: the right old password',
    send: (s, x) => s.api.changePassword(s.token, { old_password: x.a.password, new_password: x.newPassword }),
  },
  { name: 'login: the old password after the change', send: (s, x) => s.api.login({ username: x.a.username, password: x.a.password }) },
  { name: 'upgrade', send: (s) => s.api.upgrade(s.token) },
  { name: 'upgrade: a second time', send: (s) => s.api.upgrade(s.token) },
  { name: 'usage: after the upgrade', send: (s) => s.api.usage(s.token) },
  { name: 'upgrade: no token', send: (s) => s.api.upgrade(undefined) },
  // ---- what every answer goes through ----
  { name: 'an unknown route', send: (s) => s.api.raw('GET', '/v2/nothing-here') },
  { name: 'a known path with another method (GET login)', send: (s) => s.api.raw('GET', API_PATHS.login) },
  {
    name: 'CORS: credits from a browser page on another origin',
    send: (s) => s.api.raw('GET', API_PATHS.creditsAvailable, { auth: s.token, headers: { origin: 'https://app.example.org' } }),
  },
  {
    name: 'CORS: the preflight of a login from another origin',
    send: (s) =>
      s.api.raw('OPTIONS', API_PATHS.login, {
        headers: {
          origin: 'https://app.example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }),
  },
];
