// The tokens scenario's mutations always make another token: an edit that left the issued token as it
// was (a character changed to itself, or only in the bits base64 leaves unused; a claim removed that
// the token does not have) would make a counterexample of the issued token itself, and a known
// issue's counterexample pass whenever the token happened to have that character already.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { accountName } from '../../core/accounts.ts';
import { mutate, sameToken, tokenClass, tokens } from '../../explore/scenarios/tokens.ts';
import type { World } from '../../explore/world.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An HS256 token as the server issues it (gin-jwt's claims), signed with a test key. */
function issued(id: string): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: 1_900_000_000, id, orig_iat: 1_899_913_600 })}`;
  return `${head}.${createHmac('sha256', 'test-key').update(head).digest('base64url')}`;
}

/** A token whose signature starts with `c` (one in 64 do). */
function issuedWithSignatureStarting(c: string): string {
  for (let n = 0; ; n++) {
    const t = issued(`hx-self-${n}`);
    if (t.split('.')[2]!.startsWith(c)) return t;
  }
}

test("the signature's first character changed to 'A' changes a token whose signature starts with 'A'", () => {
  const token = issuedWithSignatureStarting('A');
  const auth = mutate(token, { kind: 'char', part: 2, at: 0, to: 'A' });
  assert.notEqual(auth, token);
  assert.equal(sameToken(token, auth), false, `${String(auth)} is the issued token ${token}`);
  // The scenario's default mutation (what a known issue's counterexample without one replays) too.
  const fromDefaults = tokens.fromJson({ endpoint: 'refresh' });
  assert.equal(sameToken(token, mutate(token, fromDefaults.mutation)), false);
});

test('an edit at the end of a part, in the bits base64 leaves unused, still changes the token', () => {
  const token = issued('hx-self-bits');
  const sig = token.split('.')[2]!; // 43 characters: the last holds 2 bits and 4 unused ones
  const last = sig.at(-1)!;
  const sameBits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    .split('')
    .find((c) => c !== last && Buffer.from(sig.slice(0, -1) + c, 'base64url').equals(Buffer.from(sig, 'base64url')))!;
  assert.equal(sameToken(token, mutate(token, { kind: 'char', part: 2, at: sig.length - 1, to: sameBits })), false);
  // The header is 36 characters: a character inserted at its end would be one base64 does not read.
  assert.equal(sameToken(token, mutate(token, { kind: 'insert', part: 0, at: 36, to: 'A' })), false);
  // gin-jwt's tokens have no admin claim to remove.
  assert.equal(sameToken(token, mutate(token, { kind: 'claim', claim: 'admin', value: 'missing' })), false);
});

test('every mutation the scenario generates makes another token', () => {
  const token = issuedWithSignatureStarting('A');
  fc.assert(
    fc.property(tokens.arbitrary({ upgradeAllowed: true } as World), (i) => {
      if (i.mutation.kind === 'header') return true; // the same token under another header shape
      return !sameToken(token, mutate(token, i.mutation));
    }),
    { numRuns: 5000, seed: 11 },
  );
});

test("a finding's kind of token is the kind the issued token was made into: a cut falls where it falls on the session's token", () => {
  // The session's account is the run's first (hx-<6 hex>-1) and its token has gin-jwt's claims, so a
  // cut after n characters lands in the same segment as on the scenario's stand-in token.
  const token = issued(accountName('test', '3fa9c1-1'));
  const kinds = new Set<string>();
  for (let keep = 0; keep <= token.length + 5; keep++) {
    const mutation = { kind: 'cut' as const, keep };
    const kind = tokenClass(token, mutation);
    kinds.add(kind);
    assert.deepEqual(tokens.classes({ endpoint: 'refresh', mutation }), [kind], `cut after ${keep}`);
  }
  assert.deepEqual([...kinds].sort(), ['token:forged', 'token:malformed']);
});
