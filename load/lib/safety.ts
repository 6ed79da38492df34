// The safety gate, shared by the k6 scripts and the Node orchestrator (it imports only the leaf
// core/loopback.ts). Load is heavy: anything that is not this machine needs the user to name the
// host explicitly with CONFIRM_TARGET, so a stray TARGET_URL in a shell never loads production.
import { isLoopbackUrl, urlHostname } from '../../core/loopback.ts';

export class SafetyError extends Error {
  override name = 'SafetyError';
}

/** Throws SafetyError unless `targetUrl` is loopback or `confirm` names its host exactly. */
export function assertTargetAllowed(targetUrl: string | undefined, confirm: string | undefined): void {
  if (!targetUrl) throw new SafetyError('TARGET_URL: not set (give the base URL of the API, e.g. -e TARGET_URL=http://127.0.0.1:8080)');
  const host = urlHostname(targetUrl);
  if (!host) throw new SafetyError(`TARGET_URL: expected an http(s) URL, got '${targetUrl}'`);
  if (/\/v2\/?$/.test(targetUrl))
    throw new SafetyError(`TARGET_URL: give the base URL without /v2 (the scripts append /v2/...), got '${targetUrl}'`);
  if (isLoopbackUrl(targetUrl)) return;
  const confirmed = (confirm ?? '').trim().toLowerCase();
  if (confirmed !== host.toLowerCase())
    throw new SafetyError(
      `refusing to load ${host}: it is not this machine. Load tests send heavy traffic; to run against it, ` +
        `confirm the host explicitly with CONFIRM_TARGET=${host}` +
        (confirmed ? ` (CONFIRM_TARGET is '${confirm}', which is another host)` : ''),
    );
}
