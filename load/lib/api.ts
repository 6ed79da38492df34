// Request builders over k6/http, each sent the way the documented client sends it and tagged with
// the endpoint's name so metrics group per endpoint.
import http, { type ObjectBatchRequest } from 'k6/http';
import { API_PATHS } from '../../core/contract.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** POST /v2/auth/login: JSON sent as text/plain, as the documented browser client does. */
export const loginRequest = (baseUrl: string, c: Credentials, name: string, timeoutMs: number): ObjectBatchRequest & { body: string } => ({
  method: 'POST',
  url: `${baseUrl}${API_PATHS.login}`,
  body: JSON.stringify({ username: c.username, password: c.password }),
  params: { headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, tags: { name }, timeout: `${timeoutMs}ms` },
});

/** POST /v2/auth/register as a form (the server takes urlencoded or multipart). */
export const registerRequest = (
  baseUrl: string,
  c: Credentials & { email_address: string },
  name: string,
  timeoutMs: number,
): ObjectBatchRequest => ({
  method: 'POST',
  url: `${baseUrl}${API_PATHS.register}`,
  body: { username: c.username, password: c.password, email_address: c.email_address },
  params: { tags: { name }, timeout: `${timeoutMs}ms` },
});

export function login(baseUrl: string, c: Credentials, timeoutMs: number) {
  const r = loginRequest(baseUrl, c, 'login', timeoutMs);
  return http.post(r.url, r.body, r.params);
}
