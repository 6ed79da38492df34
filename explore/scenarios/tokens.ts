// Tokens: any token that is not exactly the one issued is refused with 401. A token issued to a plain
// account is changed the ways an attacker or a broken client would (a character edited, dropped or
// added; the token cut; a claim rewritten under the old signature; another algorithm, `none` included;
// signed with another key; the wrong number of segments; the Authorization header malformed) and sent
// to an endpoint behind the auth middleware, refresh included.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { accountName } from '../../core/accounts.ts';
import type { Auth } from '../../core/client.ts';
import { API_PATHS, type Endpoint } from '../../core/contract.ts';
import { decodeToken } from '../../core/jwt.ts';
import { AuthError } from '../../core/schemas.ts';
import { StepFailed } from '../properties.ts';
import { overDefaults, type Scenario, withoutDefaults } from '../scenario.ts';
import type { World } from '../world.ts';
import { postForm } from './forms.ts';
import { plainSession } from './steps.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PART_NAMES = ['header', 'payload', 'signature'] as const;
const HEADER_SHAPES = ['missing', 'empty', 'basic', 'lowercase', 'double-space', 'no-token', 'tab'] as const;

export type Mutation =
  | { kind: 'char'; part: 0 | 1 | 2; at: number; to: string }
  | { kind: 'drop'; part: 0 | 1 | 2; at: number }
  | { kind: 'insert'; part: 0 | 1 | 2; at: number; to: string }
  | { kind: 'cut'; keep: number }
  | { kind: 'claim'; claim: 'id' | 'exp' | 'orig_iat' | 'admin'; value: 'other' | 'number' | 'missing' | 'far' }
  | { kind: 'alg'; alg: 'none' | 'HS512' | 'HS384' | 'RS256' | 'hs256'; signature: 'keep' | 'empty' }
  | { kind: 'resign'; alg: 'HS256' | 'HS512' }
  | { kind: 'segments'; count: 1 | 2 | 4 }
  | { kind: 'header'; shape: (typeof HEADER_SHAPES)[number] };

const ENDPOINTS = ['tokenUsername', 'credits', 'usage', 'refresh', 'changePassword', 'upgrade'] as const;
type Target = (typeof ENDPOINTS)[number];

export interface TokensInput {
  endpoint: Target;
  mutation: Mutation;
}

const DEFAULTS: TokensInput = { endpoint: 'tokenUsername', mutation: { kind: 'char', part: 2, at: 0, to: 'A' } };

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (t: string): [string, string, string] => {
  const [h = '', p = '', s = ''] = t.split('.');
  return [h, p, s];
};
/** Does `edited` decode to other bytes than `part` (or hold a character base64url has not)? Only then
 *  is it another token: a character changed to itself, or only in the bits base64 leaves unused, is
 *  the issued token all the same (sameToken). */
const changes = (part: string, edited: string): boolean =>
  !/^[A-Za-z0-9_-]*$/.test(edited) || !Buffer.from(edited, 'base64url').equals(Buffer.from(part, 'base64url'));

/** The first of `edits` that changes `part`; the first one when none does. */
const firstChange = (part: string, edits: string[]): string => edits.find((e) => changes(part, e)) ?? edits[0]!;

/** `part` with the character at `i` replaced by `to`, or, where that changes nothing (it is `to` already,
 *  or differs only in unused bits), by the next character of the alphabet that does. */
function replaceChar(part: string, i: number, to: string): string {
  const chars = [...part];
  const from = Math.max(B64URL.indexOf(to), 0);
  const tries = [to, ...B64URL.slice(from + 1), ...B64URL.slice(0, from)];
  return firstChange(
    part,
    tries.map((c) => [...chars.slice(0, i), c, ...chars.slice(i + 1)].join('')),
  );
}

/** `part` with one character removed (or `to` inserted) at `i`, or, where that changes nothing (a
 *  character base64 does not read, at the end), at the nearest place before it where it does. */
function dropOrInsert(part: string, i: number, to?: string): string {
  const chars = [...part];
  const at = (j: number) =>
    to === undefined ? [...chars.slice(0, j), ...chars.slice(j + 1)].join('') : [...chars.slice(0, j), to, ...chars.slice(j)].join('');
  return firstChange(
    part,
    Array.from({ length: i + 1 }, (_, k) => at(i - k)),
  );
}

/** The Authorization header for `token` changed by `m` (undefined: no header at all). Every edit of
 *  the token changes it: a mutation that left it as issued would make a counterexample of the issued
 *  token itself, and a known issue's counterexample pass now and then. */
export function mutate(token: string, m: Mutation): Auth {
  const [h, p, s] = parts(token);
  const claims = decodeToken(token)?.claims ?? {};
  const join = (...xs: string[]) => xs.join('.');
  switch (m.kind) {
    case 'char':
    case 'drop':
    case 'insert': {
      const ps = [h, p, s];
      const part = ps[m.part]!;
      const n = [...part].length;
      const i = n ? m.at % (n + 1) : 0;
      if (m.kind === 'char') ps[m.part] = n ? replaceChar(part, Math.min(i, n - 1), m.to) : m.to;
      else if (m.kind === 'drop') ps[m.part] = n ? dropOrInsert(part, Math.min(i, n - 1)) : part;
      else ps[m.part] = dropOrInsert(part, i, m.to);
      return join(...ps);
    }
    case 'cut':
      return token.slice(0, m.keep % token.length);
    case 'claim': {
      const c: Record<string, unknown> = { ...claims };
      if (m.value === 'missing') delete c[m.claim];
      else if (m.value === 'number') c[m.claim] = 12345;
      else if (m.value === 'far') c[m.claim] = m.claim === 'id' ? 'admin' : 4_102_444_800;
      else c[m.claim] = m.claim === 'id' ? `${String(claims.id)}x` : Number(claims[m.claim] ?? 0) + 3600;
      // A claim the token lacks cannot be removed, nor set to the value it already has: it is set to null.
      return join(h, changes(p, b64(c)) ? b64(c) : b64({ ...claims, [m.claim]: null }), s);
    }
    case 'alg': {
      const header = b64({ alg: m.alg, typ: 'JWT' });
      return join(header, p, m.signature === 'keep' ? s : '');
    }
    case 'resign': {
      const header = b64({ alg: m.alg, typ: 'JWT' });
      const sig = createHmac(m.alg === 'HS256' ? 'sha256' : 'sha512', 'a key that is not the server key')
        .update(`${header}.${p}`)
        .digest('base64url');
      return join(header, p, sig);
    }
    case 'segments':
      return m.count === 1 ? `${h}${p}${s}` : m.count === 2 ? join(h, p) : join(h, p, s, s);
    case 'header':
      switch (m.shape) {
        case 'missing':
          return undefined;
        case 'empty':
          return { header: '' };
        case 'basic':
          return { header: `Basic ${token}` };
        case 'lowercase':
          return { header: `bearer ${token}` };
        case 'double-space':
          return { header: `Bearer  ${token}` };
        case 'no-token':
          return { header: 'Bearer' };
        case 'tab':
          return { header: `Bearer\t${token}` };
      }
  }
}

/** Is `auth` the issued token all the same (every part decodes to the same bytes)? Then it is not a forgery. */
export function sameToken(token: string, auth: Auth): boolean {
  if (typeof auth !== 'string') return false;
  const a = parts(token);
  const b = auth.split('.');
  if (b.length !== 3) return false;
  return a.every((x, i) => Buffer.from(x, 'base64url').equals(Buffer.from(b[i]!, 'base64url')) && /^[A-Za-z0-9_-]*$/.test(b[i]!));
}

/** What kind of not-the-issued token this is: one the middleware can read (`forged`), one it cannot
 *  (`malformed`), or a header of another shape (`header`). A finding's key holds it. */
export function tokenClass(token: string, m: Mutation): string {
  if (m.kind === 'header') return 'token:header';
  const auth = mutate(token, m);
  return typeof auth === 'string' && readable(auth) ? 'token:forged' : 'token:malformed';
}

/** Can a middleware read the claims of `auth`: three segments, header and payload JSON objects? Read as
 *  a Go server reads them (invalid UTF-8 becomes U+FFFD), not as strictly as jose: an edit that breaks
 *  a character's UTF-8 leaves a token the server reads. */
function readable(auth: string): boolean {
  const segments = auth.split('.');
  if (segments.length !== 3) return false;
  try {
    return segments.slice(0, 2).every((x) => {
      const v: unknown = JSON.parse(Buffer.from(x, 'base64url').toString('utf8'));
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    });
  } catch {
    return false;
  }
}

// Weighted toward what clients and attackers send most: no or a malformed header, rewritten claims,
// another algorithm; the byte-level edits share the rest.
const MUTATION = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('char' as const),
      part: fc.constantFrom(2, 1, 0) as fc.Arbitrary<0 | 1 | 2>,
      at: fc.nat(400),
      to: fc.constantFrom(...B64URL),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('drop' as const),
      part: fc.constantFrom(2, 1, 0) as fc.Arbitrary<0 | 1 | 2>,
      at: fc.nat(400),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      part: fc.constantFrom(2, 1, 0) as fc.Arbitrary<0 | 1 | 2>,
      at: fc.nat(400),
      to: fc.constantFrom(...B64URL, '.', '=', ' '),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), keep: fc.nat(400) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      claim: fc.constantFrom('id', 'exp', 'orig_iat', 'admin') as fc.Arbitrary<'id' | 'exp' | 'orig_iat' | 'admin'>,
      value: fc.constantFrom('other', 'number', 'missing', 'far') as fc.Arbitrary<'other' | 'number' | 'missing' | 'far'>,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('alg' as const),
      // `none` with no signature is the classic forgery: met half the time.
      alg: fc.constantFrom('none', 'none', 'none', 'HS512', 'HS384', 'RS256', 'hs256') as fc.Arbitrary<
        'none' | 'HS512' | 'HS384' | 'RS256' | 'hs256'
      >,
      signature: fc.constantFrom('empty', 'keep') as fc.Arbitrary<'keep' | 'empty'>,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('resign' as const),
      alg: fc.constantFrom('HS256', 'HS512') as fc.Arbitrary<'HS256' | 'HS512'>,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('segments' as const), count: fc.constantFrom(1, 2, 4) as fc.Arbitrary<1 | 2 | 4> }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('header' as const), shape: fc.constantFrom(...HEADER_SHAPES) }) },
) as fc.Arbitrary<Mutation>;

/** "the token with its signature's first character changed", for a finding's sentence. */
export function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case 'char':
      return `the issued token with one character of its ${PART_NAMES[m.part]} changed to '${m.to}' (or the next that changes it)`;
    case 'drop':
      return `the issued token with one character of its ${PART_NAMES[m.part]} removed`;
    case 'insert':
      return `the issued token with '${m.to}' inserted into its ${PART_NAMES[m.part]}`;
    case 'cut':
      return `the issued token cut after ${m.keep} characters`;
    case 'claim':
      return (
        `the issued token with its ${m.claim} claim ${m.value === 'missing' ? 'removed' : `rewritten (${m.value})`} under the ` +
        `old signature`
      );
    case 'alg':
      return `the issued token's claims under a header saying alg '${m.alg}'${m.signature === 'empty' ? ' and no signature' : ''}`;
    case 'resign':
      return `the issued token's claims signed ${m.alg} with another key`;
    case 'segments':
      return `the issued token in ${m.count} segment${m.count > 1 ? 's' : ''}`;
    case 'header':
      return {
        missing: 'no Authorization header',
        empty: 'an empty Authorization header',
        basic: "the token under the 'Basic' scheme",
        lowercase: "the token under 'bearer' in lower case",
        'double-space': "two spaces after 'Bearer'",
        'no-token': "'Bearer' and no token",
        tab: "a tab after 'Bearer'",
      }[m.shape];
  }
}

const ENDPOINT_OF: Record<Target, Endpoint> = {
  tokenUsername: 'tokenUsername',
  credits: 'creditsAvailable',
  usage: 'usage',
  refresh: 'refresh',
  changePassword: 'changePassword',
  upgrade: 'upgrade',
};

/** A token of the shape the scenario's session gets (gin-jwt's claims in Go's key order, the run's
 *  account name, a 10-digit time, HS256's 43-character signature): where a cut falls (header, payload
 *  or signature), so the kind of token it makes, is then the same as on the issued one. */
const SESSION_LIKE = [
  b64({ alg: 'HS256', typ: 'JWT' }),
  b64({ exp: 1_900_000_000, id: accountName('test', '000000-1'), orig_iat: 1_899_913_600 }),
  'c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF',
].join('.');

export const tokens: Scenario<TokensInput> = {
  name: 'tokens',
  about:
    'tokens edited, cut, re-signed, with claims rewritten or another algorithm, malformed headers, sent to every endpoint behind the ' +
    'auth middleware and to refresh',
  weight: 1,
  arbitrary: (w: World) =>
    fc.record({
      endpoint: fc.constantFrom(...ENDPOINTS.filter((e) => e !== 'upgrade' || w.upgradeAllowed)),
      mutation: MUTATION,
    }),
  async run(i, w) {
    const s = await w.memo('plain session', () => plainSession(w));
    const auth = mutate(s.token, i.mutation);
    // The same bytes in another spelling (base64's unused bits) are the issued token: nothing to refuse.
    if (sameToken(s.token, auth)) return;
    const endpoint = ENDPOINT_OF[i.endpoint];
    const res = await w.send(
      endpoint,
      (api) => {
        switch (i.endpoint) {
          case 'tokenUsername':
            return api.tokenUsername(auth);
          case 'credits':
            return api.creditsAvailable(auth);
          case 'usage':
            return api.usage(auth);
          case 'refresh':
            return api.refresh(auth);
          case 'upgrade':
            return api.upgrade(auth);
          case 'changePassword':
            // Were it accepted, a wrong old password keeps the account as it is.
            return postForm(
              api,
              API_PATHS.changePassword,
              { old_password: `${s.password}-not-it`, new_password: w.secretPart() },
              'multipart',
              typeof auth === 'string' ? auth : undefined,
            );
        }
      },
      [s.password],
    );
    w.expect(`${i.endpoint} with a token that is not the one issued`, endpoint, res, 'tokens-refused', [
      { status: 401, schema: AuthError },
    ]);
    if (!res.headers['www-authenticate'])
      throw new StepFailed({
        property: 'contract',
        where: `${endpoint} 401`,
        symptom: 'no WWW-Authenticate header',
        message: `${endpoint} refused a token with 401 but no WWW-Authenticate header (gin-jwt sends "JWT realm=…")`,
      });
  },
  // Each kind of edit once, the forgeries that matter most sent to refresh too (it signs what it takes).
  corpus: (w) => [
    { endpoint: 'credits', mutation: { kind: 'alg', alg: 'none', signature: 'empty' } },
    { endpoint: 'refresh', mutation: { kind: 'alg', alg: 'none', signature: 'empty' } },
    { endpoint: 'tokenUsername', mutation: { kind: 'char', part: 2, at: 0, to: 'A' } },
    { endpoint: 'refresh', mutation: { kind: 'char', part: 2, at: 0, to: 'A' } },
    { endpoint: 'usage', mutation: { kind: 'drop', part: 1, at: 5 } },
    { endpoint: 'credits', mutation: { kind: 'insert', part: 0, at: 3, to: '.' } },
    { endpoint: 'tokenUsername', mutation: { kind: 'cut', keep: 100 } },
    { endpoint: 'usage', mutation: { kind: 'claim', claim: 'id', value: 'other' } },
    { endpoint: 'refresh', mutation: { kind: 'resign', alg: 'HS256' } },
    { endpoint: 'changePassword', mutation: { kind: 'segments', count: 2 } },
    { endpoint: 'credits', mutation: { kind: 'header', shape: 'missing' } },
    { endpoint: 'refresh', mutation: { kind: 'header', shape: 'basic' } },
    ...(w.upgradeAllowed
      ? [{ endpoint: 'upgrade' as const, mutation: { kind: 'alg' as const, alg: 'HS512' as const, signature: 'keep' as const } }]
      : []),
  ],
  toJson: (i) => withoutDefaults({ ...i }, { ...DEFAULTS }),
  fromJson: (j) => overDefaults(j, DEFAULTS, 'tokens'),
  // The kind of token, not the endpoint: one endpoint that accepts forgeries is one finding.
  classes: (i) => [tokenClass(SESSION_LIKE, i.mutation)],
  describe: (i) => `${describeMutation(i.mutation)}, sent to ${i.endpoint}`,
};
