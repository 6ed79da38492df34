// Steps several scenarios share: log in (in any JSON encoding) and check the token names the account,
// change a password, and make a plain, verified account to work with.
import type { ApiResponse } from '../../core/client.ts';
import { API_PATHS, MESSAGES } from '../../core/contract.ts';
import { decodeToken } from '../../core/jwt.ts';
import { AuthError, LoginOk } from '../../core/schemas.ts';
import { type Property, StepFailed } from '../properties.ts';
import type { World } from '../world.ts';
import { type FormEncoding, type JsonEncoding, postForm, postJson } from './forms.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Logs in with `login` (username or e-mail address) and `password` as typed; `accepted` says what the contract predicts. */
export async function logIn(
  w: World,
  step: string,
  property: Property,
  o: {
    login: string;
    password: string;
    encoding: JsonEncoding;
    accepted: boolean;
    account: string;
    secrets: readonly string[];
    context?: string;
    /** The finding's `where`, when another step checks the same thing (default: `step`). */
    where?: string;
  },
): Promise<string | undefined> {
  const res = await w.send(
    'login',
    (api) => postJson(api, API_PATHS.login, JSON.stringify({ username: o.login, password: o.password }), o.encoding),
    o.secrets,
  );
  const body = w.expect(
    step,
    'login',
    res,
    property,
    o.accepted ? [{ status: 200, schema: LoginOk }] : [{ status: 401, schema: AuthError, text: MESSAGES.incorrectCredentials }],
    { context: o.context, more: true, where: o.where },
  ) as { token?: string } | undefined;
  if (!o.accepted) {
    w.passed(step);
    return undefined;
  }
  const token = body!.token!;
  const id = decodeToken(token)?.claims.id;
  const idSaid = typeof id === 'string' ? `'${id === o.login ? '<what was typed>' : 'another value'}'` : String(id);
  if (id !== o.account)
    throw new StepFailed({
      property,
      ...(o.where && o.where !== step ? { where: o.where, step } : { where: step }),
      symptom: "the token's id is not the account's username",
      message: `${step} gave a token whose id claim is ${idSaid}, expected the account's username`,
    });
  w.passed(step);
  return token;
}

/** Sends a password change with `token`, as a form in `encoding` (the documented client: FormData). */
export function changePassword(
  w: World,
  o: { token: string; old: string; new: string; encoding: FormEncoding; secrets: readonly string[] },
): Promise<ApiResponse> {
  return w.send(
    'changePassword',
    (api) => postForm(api, API_PATHS.changePassword, { old_password: o.old, new_password: o.new }, o.encoding, o.token),
    o.secrets,
  );
}

/** A plain account of this run, verified (latest generation), and a token for it: set up once per run. */
export async function plainSession(w: World): Promise<Credentials & { email: string; token: string }> {
  const username = w.newName();
  const password = w.secretPart();
  const email = `${username}@example.com`;
  const res = await w.send('register', (api) => api.register({ username, password, email_address: email }), [password]);
  if (res.status !== 200)
    throw new StepFailed({
      property: 'input-rules',
      where: 'register a plain account',
      symptom: `answered ${res.status}`,
      message: `register refused a plain account: ${res.status}`,
    });
  w.accounts++;
  await w.verify({ username, email_address: email });
  const token = await logIn(w, 'login with a plain account', 'round-trip', {
    login: username,
    password,
    encoding: 'text',
    accepted: true,
    account: username,
    secrets: [password],
  });
  return { username, password, email, token: token! };
}
