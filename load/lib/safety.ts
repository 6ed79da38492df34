// The safety gate, shared by the k6 scripts and the Node orchestrator (it imports only the leaf
// modules core/url.ts and core/loopback.ts). Load is heavy: anything that is not this machine needs
// the user to name the host explicitly with CONFIRM_TARGET, so a stray TARGET_URL in a shell never
// loads production. The host is the one the parsed URL names (WHATWG): `http://127.0.0.1:x@prod`
// is prod. Messages never quote TARGET_URL itself (it may hold a password).
import { isLoopbackHost } from '../../core/loopback.ts';
import { checkUrl, TARGET_URL_RULES } from '../../core/url.ts';

export class SafetyError extends Error {
  override name = 'SafetyError';
}

/** The canonical base URL to send traffic to; throws SafetyError unless `targetUrl` is a valid base
 *  URL on loopback, or `confirm` names its host exactly. */
export function assertTargetAllowed(targetUrl: string | undefined, confirm: string | undefined): string {
  if (!targetUrl?.trim())
    throw new SafetyError('TARGET_URL: not set (give the base URL of the API, e.g. -e TARGET_URL=http://127.0.0.1:8080)');
  const checked = checkUrl(targetUrl.trim(), TARGET_URL_RULES);
  if ('problem' in checked) throw new SafetyError(`TARGET_URL: ${checked.problem}`);
  const host = checked.url.hostname;
  if (isLoopbackHost(host)) return checked.value;
  const confirmed = (confirm ?? '').trim().toLowerCase();
  if (confirmed !== host)
    throw new SafetyError(
      `refusing to load ${host}: it is not this machine. Load tests send heavy traffic; to run against it, ` +
        `confirm the host explicitly with CONFIRM_TARGET=${host}` +
        (confirmed ? ` (CONFIRM_TARGET is '${confirm!.trim().slice(0, 100)}', which is another host)` : ''),
    );
  return checked.value;
}
