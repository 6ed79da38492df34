// The API's fixed facts (paths, lifetimes, messages), from ../shared/CONTRACT.md.
// A leaf module: it imports nothing, so the k6 scripts can load it too (by its full file name).

export const API_PATHS = {
  login: '/v2/auth/login',
  refresh: '/v2/auth/refresh',
  register: '/v2/auth/register',
  changePassword: '/v2/account/password/change',
  creditsAvailable: '/v2/account/credits/available',
  upgrade: '/v2/account/upgrade',
  usage: '/v2/account/usage',
  tokenUsername: '/v2/account/token/username',
  /** The latest generation only: `GET <this>/<username>/<token>`, no auth (the link in the welcome mail). */
  verifyEmail: '/v2/account/email/verify',
} as const;
export type Endpoint = keyof typeof API_PATHS;

/** Is this a JSON answer's Content-Type (`application/json`, any parameters)? gin writes
 *  `application/json; charset=utf-8`; anything else (text/plain, none) breaks clients that trust it. */
export const isJsonContentType = (value: string | undefined): boolean =>
  (value ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';

/** gin-jwt `Timeout`: 24 h. */
export const TOKEN_LIFETIME_S = 24 * 60 * 60;
/** gin-jwt `MaxRefresh`: a token may be refreshed until 24 h after the original login. */
export const MAX_REFRESH_S = 24 * 60 * 60;
/** Default slack when comparing the server's times with ours (clock skew, network time). */
export const DEFAULT_TIME_TOLERANCE_S = 60;
/** gin-jwt's default and the only algorithm the server signs with. */
export const TOKEN_ALGORITHM = 'HS256';
/** bcrypt.DefaultCost in Go. */
export const BCRYPT_COST = 10;

/** Exact message texts the server sends (handlers put them under `response`, gin-jwt under `message`). */
export const MESSAGES = {
  missingCredentials: 'Missing Username or Password',
  incorrectCredentials: 'Incorrect Username / Password',
  authHeaderEmpty: 'auth header empty',
  invalidAuthHeader: 'invalid auth header',
  invalidSigningAlgorithm: 'invalid signing algorithm',
  signatureInvalid: 'signature is invalid',
  tokenExpired: 'Token is expired',
  /** gin-jwt's RefreshHandler, for a token whose original login is older than MaxRefresh (its own text, with the full stop). */
  refreshExpired: 'Token is expired.',
  malformedToken: 'token contains an invalid number of segments',
  forbidden: "You don't have permission to access.",
  emailHasPlus: 'emails must not contain + signs, this is to prevent abuse of catch all routing',
  usernameHasAt: 'usernames cant contain @ sign',
  usernameTaken: 'username is already taken',
  emailTaken: 'email address already taken',
  createFailed: 'failed to create user account',
  passwordChangeFailed: 'failed to change password',
  passwordChanged: 'password changed',
  accountUpgraded: 'account upgraded',
  alreadyUpgraded: 'user account is already upgrade',
  notFound: '404 page not found',
  emailVerified: 'email verified',
} as const;

/** `<field> not present`, the handlers' answer to a missing form field. */
export const missingField = (field: string): string => `${field} not present`;

/** Latest generation: the verification route's answer to a link made for another account than the path names. */
export const verifyUserMismatch = (pathUser: string): string => `username from claim does not match expected user of ${pathUser}`;

export const TIERS = ['unverified', 'free', 'partner', 'light', 'paid'] as const;
export type Tier = (typeof TIERS)[number];

/** The API's generations (../shared/CONTRACT.md): `documented` = the documented flow, a new account logs
 *  in at once; `latest` = the server's source at its last commit, e-mail verification mandatory. */
export const GENERATIONS = ['documented', 'latest'] as const;
export type Generation = (typeof GENERATIONS)[number];
/** TARGET_GENERATION's values: a generation, or `auto` (the default): told by the first account a run
 *  makes (core/generation.ts); the bundled target's is its own setting (auto: documented). */
export const GENERATION_CHOICES = [...GENERATIONS, 'auto'] as const;
export type GenerationChoice = (typeof GENERATION_CHOICES)[number];

/** The host the real server writes into the verification link (its production one; the dev
 *  deployment writes https://dev.api.temporal.cloud), whatever host the request came to. */
export const VERIFY_LINK_ORIGIN = 'https://api.temporal.cloud';

/** A JWT on the wire: three base64url parts; the signature may be empty only for `alg: none`
 *  (which the API must refuse). */
export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
