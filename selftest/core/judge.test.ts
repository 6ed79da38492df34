// The contract policy: drift (fields the contract does not know) is news; a wrong status or
// Content-Type, a missing, renamed or retyped field, and a secret anywhere in the body are failures;
// CONTRACT_STRICT turns drift into failures. Problems are on-call sentences that never hold the body
// or the secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { isJsonContentType } from '../../core/contract.ts';
import { fieldPath, judgeAnswer, type Answer } from '../../core/judge.ts';
import * as S from '../../core/schemas.ts';

const GIN_JSON = 'application/json; charset=utf-8';
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
// A bcrypt hash as Go writes it, and hex-encoded as the user model stores it.
const HASH = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const HEX = Buffer.from(HASH).toString('hex');

/** An answer as the client returns it: the body is serialised the way Go's encoder does (`&` → \u0026). */
const answer = (body: unknown, o: { status?: number; type?: string | null } = {}): Answer => {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body).replace(/&/g, '\\u0026');
  const type = o.type === undefined ? GIN_JSON : o.type;
  return {
    status: o.status ?? 200,
    headers: type === null ? {} : { 'content-type': type },
    body: typeof body === 'string' ? body : body,
    text,
    json: body !== undefined && typeof body !== 'string',
  };
};

test('an answer that keeps the contract: ok, no problems, no drift, the parsed body', () => {
  const v = judgeAnswer(S.RegisterOk, answer({ code: 200, response: user }), { status: 200 });
  assert.deepEqual(v, { ok: true, problems: [], drift: [], data: { code: 200, response: user } });
});

test('added fields are drift, not problems: dotted paths, sorted, and the known fields still parsed', () => {
  const body = { code: 200, RequestID: 'r-1', response: { ...user, Organization: '', Region: 'eu' } };
  const v = judgeAnswer(S.RegisterOk, answer(body), { status: 200 });
  assert.equal(v.ok, true);
  assert.deepEqual(v.problems, []);
  assert.deepEqual(v.drift, ['RequestID', 'response.Organization', 'response.Region']);
  // data holds what the contract knows (the strict schema parsed it), without the added fields.
  assert.deepEqual(v.data, { code: 200, response: user });
});

test('drift inside arrays is named once for any element; nested objects get full paths', () => {
  const Schema = z.strictObject({
    code: z.literal(200),
    response: z.array(z.strictObject({ Name: z.string(), Meta: z.strictObject({ A: z.number() }) })),
  });
  const body = {
    code: 200,
    response: [
      { Name: 'a', Meta: { A: 1, B: 2 }, Extra: true },
      { Name: 'b', Meta: { A: 2, B: 3 }, Extra: false },
    ],
  };
  const v = judgeAnswer(Schema, answer(body));
  assert.equal(v.ok, true);
  assert.deepEqual(v.drift, ['response[].Extra', 'response[].Meta.B']);
  assert.deepEqual(v.data?.response, [
    { Name: 'a', Meta: { A: 1 } },
    { Name: 'b', Meta: { A: 2 } },
  ]);
  // A problem in one element names that element.
  const broken = judgeAnswer(
    Schema,
    answer({
      code: 200,
      response: [
        { Name: 'a', Meta: { A: 1 } },
        { Name: 2, Meta: { A: 1 } },
      ],
    }),
  );
  assert.deepEqual(broken.problems, ['✖ Invalid input: expected string, received number → at response[1].Name']);
  assert.equal(fieldPath(['response', 3, 'Keys', 0, 'Label']), 'response[3].Keys[0].Label');
  assert.equal(fieldPath(['response', 3, 'Keys', 0, 'Label'], true), 'response[].Keys[].Label');
});

test('CONTRACT_STRICT: the same drift is a failure naming the fields, and still listed as drift', () => {
  const body = { code: 200, response: { ...user, Organization: '' } };
  const v = judgeAnswer(S.RegisterOk, answer(body), { status: 200, strict: true });
  assert.equal(v.ok, false);
  assert.equal(v.data, undefined);
  assert.deepEqual(v.drift, ['response.Organization']);
  assert.deepEqual(v.problems, ['fields the contract does not know: response.Organization (CONTRACT_STRICT=true fails on added fields)']);
  // Strict without drift passes.
  assert.equal(judgeAnswer(S.RegisterOk, answer({ code: 200, response: user }), { strict: true }).ok, true);
});

test('a missing field, a renamed one (missing + drift) and a retyped one are problems, named by path', () => {
  const { UserName, ...noName } = user;
  assert.deepEqual(judgeAnswer(S.RegisterOk, answer({ code: 200, response: noName })).problems, ['✖ missing field → at response.UserName']);
  const renamed = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...noName, Username: UserName } }));
  assert.deepEqual(renamed.problems, ['✖ missing field → at response.UserName']);
  assert.deepEqual(renamed.drift, ['response.Username']);
  assert.equal(renamed.ok, false);
  assert.deepEqual(judgeAnswer(S.CreditsAvailable, answer({ code: 200, response: '0' })).problems, [
    '✖ expected credits as a JSON number → at response',
  ]);
  assert.deepEqual(judgeAnswer(S.LoginOk, answer({ expire: 1545420702, token: 'a.b.c' })).problems, [
    '✖ expected an RFC 3339 time such as 2018-12-21T19:31:42Z → at expire',
  ]);
});

test('a wrong status is a problem, and the shape of such an answer is not judged (no noise)', () => {
  const v = judgeAnswer(S.RegisterOk, answer({ code: 503, response: 'service unavailable' }, { status: 503 }), { status: 200 });
  assert.deepEqual(v.problems, ['answered 503, expected 200']);
  assert.equal(v.ok, false);
  // Without an expected status, only the shape decides.
  assert.equal(judgeAnswer(S.AuthError, answer({ code: 401, message: 'auth header empty' }, { status: 401 })).ok, true);
});

test('every JSON answer must say Content-Type application/json (any parameters, any case)', () => {
  const body = { code: 200, response: 0 };
  for (const type of [GIN_JSON, 'application/json', 'Application/JSON; charset=UTF-8'])
    assert.equal(judgeAnswer(S.CreditsAvailable, answer(body, { type })).ok, true, type);
  assert.deepEqual(judgeAnswer(S.CreditsAvailable, answer(body, { type: 'text/plain; charset=utf-8' })).problems, [
    "the JSON answer says Content-Type 'text/plain; charset=utf-8', expected application/json",
  ]);
  assert.deepEqual(judgeAnswer(S.CreditsAvailable, answer(body, { type: null })).problems, [
    'the JSON answer has no Content-Type, expected application/json',
  ]);
  // Error answers too (gin-jwt's, under a broken middleware).
  assert.equal(
    judgeAnswer(S.AuthError, answer({ code: 400, message: 'x' }, { status: 400, type: 'text/plain' }), { status: 400 }).ok,
    false,
  );
  assert.equal(isJsonContentType('application/jsonp'), false);
  assert.equal(isJsonContentType('application/problem+json'), false);
  assert.equal(isJsonContentType(undefined), false);
});

test('a body that is not JSON, or none at all, is a problem that says what came instead, never the body', () => {
  const html = '<html><body>502 Bad Gateway</body></html>';
  assert.deepEqual(judgeAnswer(S.CreditsAvailable, answer(html, { type: 'text/html' })).problems, [
    `the answer is not JSON (text/html, ${html.length} bytes)`,
  ]);
  assert.deepEqual(judgeAnswer(S.LoginOk, answer(undefined, { status: 500, type: null }), { status: 200 }).problems, [
    'answered 500, expected 200',
    'the answer has an empty body, expected JSON',
  ]);
});

test('a bcrypt hash anywhere in the body is a problem: raw or hex, known field or not', () => {
  const raw = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, Status: `debug: ${HASH}` } }));
  assert.deepEqual(raw.problems, ['a bcrypt password hash is in the body (at response.Status): hashes must never be sent']);
  const hex = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, HashedPassword: HEX } }));
  assert.deepEqual(hex.problems, [
    'a bcrypt password hash, hex-encoded as Go stores it, is in the body (at response.HashedPassword)',
    '✖ expected "scrubbed": the password hash must never be sent → at response.HashedPassword',
  ]);
  // In a field the contract does not know: still a failure, and still drift.
  const hidden = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, Legacy: { Hash: HEX } } }));
  assert.deepEqual(hidden.problems, ['a bcrypt password hash, hex-encoded as Go stores it, is in the body (at response.Legacy.Hash)']);
  assert.deepEqual(hidden.drift, ['response.Legacy']);
  assert.equal(hidden.ok, false);
  // In an error body and in a body that is not JSON.
  assert.equal(judgeAnswer(S.HandlerError, answer({ code: 400, response: `bad hash ${HASH}` }, { status: 400 })).ok, false);
  assert.match(judgeAnswer(S.HandlerError, answer(`oops ${HEX}`, { type: 'text/plain' })).problems.join('\n'), /as the whole body/);
  for (const v of [raw, hex, hidden]) assert.ok(!v.problems.join('\n').includes(HASH) && !v.problems.join('\n').includes(HEX));
});

test('a password the harness sent, or the verification token, anywhere in a body is a problem that never shows it', () => {
  const password = 'hxpw_Secret&Pass1234567';
  const echoed = answer({ code: 400, response: `failed to change password: '${password}' is not the current password` }, { status: 400 });
  assert.ok(!echoed.text.includes(password), "Go's encoder escapes & in the text: the policy reads the decoded strings");
  const v = judgeAnswer(S.HandlerError, echoed, { status: 400, secrets: [password] });
  assert.deepEqual(v.problems, ['a password or token the harness sent is in the body (at response)']);
  // Named secrets name themselves; short values would match ordinary text and are ignored.
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoieCJ9.c2ln';
  const named = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, Hint: token } }), {
    secrets: { 'the verification token': token, 'a short one': 'test' },
  });
  assert.deepEqual(named.problems, ['the verification token is in the body (at response.Hint)']);
  // A secret as a key is found too, and the key is shown redacted: in the problem and in the drift
  // (which the monitor stores and puts on its status page).
  const asKey = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, [password]: 1 } }), { secrets: [password] });
  assert.equal(asKey.ok, false);
  assert.deepEqual(asKey.problems, ['a password or token the harness sent is in the body (at response.[redacted])']);
  assert.deepEqual(asKey.drift, ['response.[redacted]']);
  for (const x of [v, named, asKey]) assert.ok(![...x.problems, ...x.drift].some((t) => t.includes(password) || t.includes(token)));
});

test('a field name or a Content-Type with no end is shown cut: drift and problems stay one line', () => {
  const long = `Field${'x'.repeat(5000)}`;
  const v = judgeAnswer(S.RegisterOk, answer({ code: 200, response: { ...user, [long]: 1 } }));
  assert.equal(v.ok, true);
  assert.equal(v.drift.length, 1);
  assert.ok(v.drift[0]!.length < 100, `${v.drift[0]!.length} characters`);
  assert.match(v.drift[0]!, /^response\.Fieldx+…$/);
  const type = judgeAnswer(S.RegisterOk, answer({ code: 200, response: user }, { type: `text/plain; x=${'y'.repeat(5000)}` }));
  assert.equal(type.problems.length, 1);
  assert.ok(type.problems[0]!.length < 200, `${type.problems[0]!.length} characters`);
});

test('problems never hold the body: a failing answer with a token in it is described, not dumped', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InVzZXIifQ.c2lnbmF0dXJl';
  const v = judgeAnswer(S.LoginOk, answer({ expire: 'tomorrow', token }, { type: 'text/plain' }));
  assert.equal(v.ok, false);
  assert.ok(v.problems.length === 2);
  assert.ok(!v.problems.join('\n').includes(token));
});
