// Every response body of the contract, once. Tests, fixtures and the monitor import these;
// nobody re-describes a body by hand. Strict where the contract is strict.
import { z } from 'zod';
import { JWT_SHAPE, MESSAGES, TIERS, TOKEN_ALGORITHM } from './contract.ts';

export const Jwt = z.string().regex(JWT_SHAPE, 'expected a JWT (three base64url parts separated by dots)');

/** RFC 3339 with a zone, as Go's time.RFC3339 writes it (`2018-12-21T19:31:42Z`). */
export const Rfc3339 = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time such as 2018-12-21T19:31:42Z' });

// ---- auth (gin-jwt) ----

/** 200 from login and refresh. Later gin-jwt releases add `code: 200`; anything else is drift. */
export const LoginOk = z.strictObject({
  code: z.literal(200).optional(),
  expire: Rfc3339,
  token: Jwt,
});
export type LoginOk = z.infer<typeof LoginOk>;

/** gin-jwt's error body: the text is under `message`, not `response`. */
export const AuthError = z.strictObject({
  code: z.number().int(),
  message: z.string(),
});
export type AuthError = z.infer<typeof AuthError>;

export const TokenHeader = z.looseObject({
  alg: z.literal(TOKEN_ALGORITHM, { error: `expected alg ${TOKEN_ALGORITHM}` }),
  typ: z.literal('JWT').optional(),
});
export const TokenClaims = z.looseObject({
  id: z.string().min(1, 'expected the username'),
  exp: z.number().int('expected whole unix seconds'),
  orig_iat: z.number().int('expected whole unix seconds'),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

// ---- handlers (api/v2/context.go Respond / Fail) ----

const ok = <T extends z.ZodType>(response: T) => z.strictObject({ code: z.literal(200), response });

/** A handler's error: `{code, response: "<message>"}`. */
export const HandlerError = z.strictObject({
  code: z.number().int(),
  response: z.string(),
});
export type HandlerError = z.infer<typeof HandlerError>;

const Timestamp = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 timestamp' });
const StringList = z.array(z.string()).nullable();

/** The GORM user model as register returns it, secrets scrubbed. */
export const User = z.strictObject({
  ID: z.number().int().positive(),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp,
  DeletedAt: Timestamp.nullable(),
  UserName: z.string().min(1),
  EmailAddress: z.string().min(1),
  AccountEnabled: z.boolean(),
  EmailEnabled: z.boolean(),
  EmailVerificationToken: z.literal('scrubbed', { error: 'expected "scrubbed": the verification token must never be sent' }),
  AdminAccess: z.boolean(),
  HashedPassword: z.literal('scrubbed', { error: 'expected "scrubbed": the password hash must never be sent' }),
  Free: z.boolean(),
  Credits: z.number(),
  CustomerObjectHash: z.string(),
  IPFSKeyNames: StringList,
  IPFSKeyIDs: StringList,
  IPFSNetworkNames: StringList,
  Status: z.string(),
});
export type User = z.infer<typeof User>;

export const RegisterOk = ok(User);
export type RegisterOk = z.infer<typeof RegisterOk>;

export const PasswordChanged = ok(z.literal(MESSAGES.passwordChanged));
export const AccountUpgraded = ok(z.literal(MESSAGES.accountUpgraded));

/** Credits are a float64 JSON number; never negative (the server refuses a negative balance). */
export const CreditsAvailable = ok(
  z.number({ error: 'expected credits as a JSON number' }).finite().min(0, 'expected credits not to be negative'),
);
export type CreditsAvailable = z.infer<typeof CreditsAvailable>;

const Counter = z.number().int().min(0);
export const Usage = z.strictObject({
  ID: z.number().int().positive(),
  CreatedAt: Timestamp,
  UpdatedAt: Timestamp,
  DeletedAt: Timestamp.nullable(),
  UserName: z.string().min(1),
  MonthlyDataLimitBytes: Counter,
  CurrentDataUsedBytes: Counter,
  IPNSRecordsPublished: Counter,
  IPNSRecordsAllowed: Counter,
  PubSubMessagesSent: Counter,
  PubSubMessagesAllowed: Counter,
  KeysCreated: Counter,
  KeysAllowed: Counter,
  Tier: z.enum(TIERS),
});
export type Usage = z.infer<typeof Usage>;
export const UsageOk = ok(Usage);

export const TokenUsername = ok(z.string().min(1));

/** Latest generation: the verification link's answer. */
export const EmailVerified = ok(z.literal(MESSAGES.emailVerified));
