// The schemas accept every example in the contract and reject broken bodies, naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as S from '../../core/schemas.ts';
import { checkShape } from '../../core/shape.ts';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE1NDU0MjA3MDIsImlkIjoidGVzdHVzZXIiLCJvcmlnX2lhdCI6MTU0NTMzNDMwMn0.c2lnbmF0dXJl';
const user = {
  ID: 7,
  CreatedAt: '2018-12-20T19:31:42.123456Z',
  UpdatedAt: '2018-12-20T19:31:42.123456Z',
  DeletedAt: null,
  UserName: 'testuser',
  EmailAddress: 'test@example.com',
  AccountEnabled: true,
  EmailEnabled: false,
  EmailVerificationToken: 'scrubbed',
  AdminAccess: false,
  HashedPassword: 'scrubbed',
  Free: true,
  Credits: 0,
  CustomerObjectHash: 'zdpuAnUGSDoNQoHQ2jpjhPePHEvg26mYLsAAGxr4jkzCWUpde',
  IPFSKeyNames: null,
  IPFSKeyIDs: null,
  IPFSNetworkNames: null,
  Status: 'by continuing to use this service you agree to ... https://example/license.html',
};
const usage = {
  ID: 1,
  CreatedAt: '2018-12-20T19:31:42Z',
  UpdatedAt: '2018-12-20T19:31:42Z',
  DeletedAt: null,
  UserName: 'testuser',
  MonthlyDataLimitBytes: 3221225472,
  CurrentDataUsedBytes: 0,
  IPNSRecordsPublished: 0,
  IPNSRecordsAllowed: 5,
  PubSubMessagesSent: 0,
  PubSubMessagesAllowed: 100,
  KeysCreated: 0,
  KeysAllowed: 5,
  Tier: 'free',
};

const accepts = (schema: Parameters<typeof checkShape>[0], body: unknown) => {
  const r = checkShape(schema, body);
  assert.ok(r.ok, r.ok ? '' : r.problem);
};
const rejects = (schema: Parameters<typeof checkShape>[0], body: unknown, field: RegExp) => {
  const r = checkShape(schema, body);
  assert.ok(!r.ok, 'expected the body to be refused');
  assert.match(r.problem, field);
};

test('the contract examples are accepted', () => {
  accepts(S.LoginOk, { expire: '2018-12-21T19:31:42Z', token: JWT });
  accepts(S.LoginOk, { code: 200, expire: '2018-12-21T19:31:42Z', token: JWT });
  accepts(S.LoginOk, { expire: '2018-12-21T20:31:42+01:00', token: JWT });
  accepts(S.AuthError, { code: 400, message: 'Missing Username or Password' });
  accepts(S.AuthError, { code: 401, message: 'Incorrect Username / Password' });
  accepts(S.HandlerError, { code: 400, response: 'username not present' });
  accepts(S.RegisterOk, { code: 200, response: user });
  accepts(S.RegisterOk, { code: 200, response: { ...user, IPFSKeyNames: ['a'], IPFSKeyIDs: ['b'], IPFSNetworkNames: [] } });
  accepts(S.PasswordChanged, { code: 200, response: 'password changed' });
  accepts(S.CreditsAvailable, { code: 200, response: 10000464.996296696 });
  accepts(S.CreditsAvailable, { code: 200, response: 0 });
  accepts(S.AccountUpgraded, { code: 200, response: 'account upgraded' });
  accepts(S.HandlerError, { code: 400, response: 'user account is already upgrade' });
  accepts(S.UsageOk, { code: 200, response: usage });
  accepts(S.UsageOk, { code: 200, response: { ...usage, Tier: 'paid' } });
  accepts(S.TokenUsername, { code: 200, response: 'testuser' });
  accepts(S.TokenClaims, { exp: 1545420702, id: 'testuser', orig_iat: 1545334302 });
  accepts(S.TokenHeader, { alg: 'HS256', typ: 'JWT' });
});

test('broken login bodies are refused, naming the field', () => {
  rejects(S.LoginOk, { expire: 1545420702, token: JWT }, /at expire/);
  rejects(S.LoginOk, { expire: '2018-12-21 19:31:42', token: JWT }, /RFC 3339[\s\S]*at expire/);
  rejects(S.LoginOk, { expire: '2018-12-21T19:31:42Z', token: 'not-a-jwt' }, /expected a JWT[\s\S]*at token/);
  rejects(S.LoginOk, { code: 201, expire: '2018-12-21T19:31:42Z', token: JWT }, /at code/);
  rejects(S.LoginOk, { expire: '2018-12-21T19:31:42Z' }, /at token/);
  rejects(S.LoginOk, { expire: '2018-12-21T19:31:42Z', token: JWT, refresh: 'x' }, /refresh/);
});

test('secrets that are not scrubbed are named', () => {
  rejects(
    S.RegisterOk,
    { code: 200, response: { ...user, HashedPassword: '2432612431302431' } },
    /password hash must never be sent[\s\S]*HashedPassword/,
  );
  rejects(S.RegisterOk, { code: 200, response: { ...user, EmailVerificationToken: 'abc' } }, /EmailVerificationToken/);
});

test('types that drift are named', () => {
  rejects(S.CreditsAvailable, { code: 200, response: '0' }, /expected credits as a JSON number[\s\S]*at response/);
  rejects(S.CreditsAvailable, { code: 200, response: -1 }, /not to be negative/);
  rejects(S.RegisterOk, { code: 200, response: { ...user, ID: '7' } }, /at response\.ID/);
  rejects(S.RegisterOk, { code: 200, response: { ...user, CreatedAt: 'yesterday' } }, /at response\.CreatedAt/);
  rejects(S.UsageOk, { code: 200, response: { ...usage, Tier: 'gold' } }, /at response\.Tier/);
  rejects(S.HandlerError, { code: 400, message: 'failed to change password' }, /response/);
  rejects(S.AuthError, { code: 401, response: 'auth header empty' }, /message/);
  rejects(S.TokenHeader, { alg: 'none' }, /expected alg HS256/);
});

test('a non-JSON body is described as such', () => {
  const r = checkShape(S.CreditsAvailable, '<html>502 Bad Gateway</html>');
  assert.ok(!r.ok);
  assert.match(r.problem, /got a non-JSON body/);
});
