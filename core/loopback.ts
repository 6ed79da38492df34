// Whether a URL's host is this machine. A leaf module (it imports only the leaf core/url.ts): k6
// and Node both use it to gate heavy or irreversible work against anything that is not loopback.
// The host is read from the parsed URL (WHATWG), never with a pattern over the text.
import { parseHttpUrl } from './url.ts';

/** localhost, 127.0.0.0/8 or ::1. Names under .localhost are not counted: the system resolver may
 *  ask DNS for them, and DNS may answer with any address. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/** The host of an http(s) URL as the HTTP client will read it, or undefined when it is not one. */
export function urlHostname(url: string): string | undefined {
  const u = parseHttpUrl(url);
  return 'error' in u ? undefined : u.hostname;
}

export const isLoopbackUrl = (url: string): boolean => {
  const host = urlHostname(url);
  return host !== undefined && isLoopbackHost(host);
};
