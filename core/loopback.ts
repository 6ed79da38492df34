// Whether a URL's host is this machine. A leaf module (no imports): k6 and Node both use it
// to gate heavy or irreversible work against anything that is not loopback.

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1';
}

/** The host part of an http(s) URL, or undefined when the string is not one. */
export function urlHostname(url: string): string | undefined {
  const m = /^https?:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(url);
  return m ? m[1] : undefined;
}

export const isLoopbackUrl = (url: string): boolean => {
  const host = urlHostname(url);
  return host !== undefined && isLoopbackHost(host);
};
