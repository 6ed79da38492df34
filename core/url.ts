// URL settings, parsed once and the same way everywhere: the WHATWG URL Standard
// (https://url.spec.whatwg.org/), which Node's `URL` implements. k6's runtime has no `URL`, so this
// leaf module (no imports: k6 loads it too) carries its own parser for http(s) URLs, written from
// the standard and compared with Node's on many inputs (selftest/core/url.test.ts). What it cannot
// parse exactly (internationalised host names) it refuses instead of guessing.
//
// Why it matters: a gate that reads the host one way while the HTTP client reads it another can be
// walked around (`http://127.0.0.1:x@prod.example` is prod.example, not loopback). So the host is
// judged on the parsed URL, and every part sends its traffic to the URL's canonical serialization,
// which every parser downstream (undici, Playwright, Go's net/url in k6, Node's url.parse) reads alike.

export interface HttpUrl {
  /** http or https; another only where a setting's rules name it (e.g. amqp for a mail outbox). */
  scheme: string;
  /** Percent-encoded, as serialized. */
  username: string;
  password: string;
  /** Lower-case domain, dotted-decimal IPv4, or a bracketed, compressed IPv6 address. */
  hostname: string;
  /** '' when absent or the scheme's default. */
  port: string;
  /** At least '/'. */
  pathname: string;
  /** '' or '?…' */
  search: string;
  /** '' or '#…' */
  hash: string;
  href: string;
}

type Parsed = HttpUrl | { error: string };

// ---- percent-encode sets (§1.3) ----
const C0 = (c: number) => c < 0x20 || c > 0x7e;
const FRAGMENT_SET = (c: number) => C0(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60;
const QUERY_SET = (c: number) => C0(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e;
const SPECIAL_QUERY_SET = (c: number) => QUERY_SET(c) || c === 0x27;
// Without ^ (added to the standard in 2024): Node 20's URL, the reference here, leaves it as it is.
const PATH_SET = (c: number) => QUERY_SET(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d;
const USERINFO_SET = (c: number) =>
  PATH_SET(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 || (c >= 0x5b && c <= 0x5e) || c === 0x7c;

/** UTF-8 percent-encodes the code points of `s` that are in `set` (lone surrogates become U+FFFD). */
function encode(s: string, set: (c: number) => boolean): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (!set(c)) out += ch;
    else if (c >= 0xd800 && c <= 0xdfff) out += '%EF%BF%BD';
    else if (c < 0x80) out += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

const HEX = /^[0-9A-Fa-f]$/;
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';

// ---- hosts (§3) ----

/** IPv4 number parser: decimal, 0x hex, 0-prefixed octal; undefined on failure. */
function ipv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let radix = 10;
  let s = part;
  if (s.length >= 2 && (s.startsWith('0x') || s.startsWith('0X'))) {
    radix = 16;
    s = s.slice(2);
  } else if (s.length >= 2 && s.startsWith('0')) {
    radix = 8;
    s = s.slice(1);
  }
  if (s === '') return 0;
  const ok = radix === 10 ? /^[0-9]+$/ : radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]+$/;
  if (!ok.test(s)) return undefined;
  return s.length > 20 ? Number.POSITIVE_INFINITY : Number.parseInt(s, radix);
}

function endsInANumber(host: string): boolean {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '') {
    if (parts.length === 1) return false;
    parts.pop();
  }
  const last = parts[parts.length - 1]!;
  if (last !== '' && /^[0-9]+$/.test(last)) return true;
  return ipv4Number(last) !== undefined;
}

function parseIpv4(host: string): string | undefined {
  const parts = host.split('.');
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const p of parts) {
    const n = ipv4Number(p);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i]! > 255) return undefined;
  const last = numbers[numbers.length - 1]!;
  if (last >= 256 ** (5 - numbers.length)) return undefined;
  let ipv4 = last;
  for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i]! * 256 ** (3 - i);
  return [ipv4 >>> 24, (ipv4 >>> 16) & 255, (ipv4 >>> 8) & 255, ipv4 & 255].join('.');
}

function parseIpv6(input: string): number[] | undefined {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let piece = 0;
  let compress: number | undefined;
  let p = 0;
  const c = () => input[p];
  if (c() === ':') {
    if (input[p + 1] !== ':') return undefined;
    p += 2;
    piece++;
    compress = piece;
  }
  while (c() !== undefined) {
    if (piece === 8) return undefined;
    if (c() === ':') {
      if (compress !== undefined) return undefined;
      p++;
      piece++;
      compress = piece;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && c() !== undefined && HEX.test(c()!)) {
      value = value * 16 + Number.parseInt(c()!, 16);
      p++;
      length++;
    }
    if (c() === '.') {
      if (length === 0) return undefined;
      p -= length;
      if (piece > 6) return undefined;
      let seen = 0;
      while (c() !== undefined) {
        let v4: number | undefined;
        if (seen > 0) {
          if (c() === '.' && seen < 4) p++;
          else return undefined;
        }
        if (!isDigit(c())) return undefined;
        while (isDigit(c())) {
          const n = Number(c());
          if (v4 === undefined) v4 = n;
          else if (v4 === 0) return undefined;
          else v4 = v4 * 10 + n;
          if (v4 > 255) return undefined;
          p++;
        }
        address[piece] = address[piece]! * 0x100 + v4!;
        seen++;
        if (seen === 2 || seen === 4) piece++;
      }
      if (seen !== 4) return undefined;
      break;
    } else if (c() === ':') {
      p++;
      if (c() === undefined) return undefined;
    } else if (c() !== undefined) return undefined;
    address[piece] = value;
    piece++;
  }
  if (compress !== undefined) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const t = address[piece]!;
      address[piece] = address[compress + swaps - 1]!;
      address[compress + swaps - 1] = t;
      piece--;
      swaps--;
    }
  } else if (piece !== 8) return undefined;
  return address;
}

function serializeIpv6(a: number[]): string {
  // The first longest run of two or more zero pieces is compressed.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && a[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  let out = '';
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && a[i] === 0) continue;
    ignore0 = false;
    if (best === i) {
      out += i === 0 ? '::' : ':';
      ignore0 = true;
      continue;
    }
    out += a[i]!.toString(16);
    if (i !== 7) out += ':';
  }
  return `[${out}]`;
}

// Forbidden domain code points: C0 controls, space, # % / : < > ? @ [ \ ] ^ |, DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const FORBIDDEN_DOMAIN = /[\u0000-\u0020#%/:<>?@[\\\]^|\u007f]/;

function parseHost(input: string): string | { error: string } {
  if (input.startsWith('[')) {
    if (!input.endsWith(']')) return { error: 'the IPv6 address is not closed with ]' };
    const a = parseIpv6(input.slice(1, -1));
    return a ? serializeIpv6(a) : { error: 'the IPv6 address is not valid' };
  }
  let decoded = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '%' && HEX.test(input[i + 1] ?? '') && HEX.test(input[i + 2] ?? '')) {
      decoded += String.fromCharCode(Number.parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else decoded += ch;
  }
  // Full IDNA (UTS #46) is out of scope here: refused rather than guessed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  if (/[^\u0000-\u007f]/.test(decoded) || /(^|\.)xn--/i.test(decoded))
    return { error: 'internationalised host names are not supported here: use an ASCII host name or an IP address' };
  const domain = decoded.toLowerCase();
  if (domain === '') return { error: 'the host is empty' };
  if (FORBIDDEN_DOMAIN.test(domain)) return { error: 'the host has a character a host name cannot have' };
  if (endsInANumber(domain)) return parseIpv4(domain) ?? { error: 'the host looks like an IPv4 address but is not a valid one' };
  return domain;
}

/** This module's own WHATWG parser for http(s) URLs (used where the runtime has no `URL`). */
export function parseWhatwgHttp(raw: string): Parsed {
  // Leading/trailing C0 controls and spaces go; tabs and newlines anywhere are removed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  const input = raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(input);
  if (!m) return { error: 'not a URL' };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { error: 'not an http(s) URL' };
  let rest = input.slice(m[0].length).replace(/^[/\\]*/, '');
  const authEnd = rest.search(/[/\\?#]/);
  const authority = authEnd === -1 ? rest : rest.slice(0, authEnd);
  rest = authEnd === -1 ? '' : rest.slice(authEnd);

  let username = '';
  let password = '';
  let hostPort = authority;
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    username = encode(colon === -1 ? userinfo : userinfo.slice(0, colon), USERINFO_SET);
    password = colon === -1 ? '' : encode(userinfo.slice(colon + 1), USERINFO_SET);
    if (hostPort === '') return { error: 'the host is missing' };
  }
  let hostText = hostPort;
  let portText: string | undefined;
  let inBrackets = false;
  for (let i = 0; i < hostPort.length; i++) {
    const ch = hostPort[i];
    if (ch === '[') inBrackets = true;
    else if (ch === ']') inBrackets = false;
    else if (ch === ':' && !inBrackets) {
      hostText = hostPort.slice(0, i);
      portText = hostPort.slice(i + 1);
      break;
    }
  }
  if (hostText === '') return { error: 'the host is missing' };
  let port = '';
  if (portText !== undefined && portText !== '') {
    if (!/^[0-9]+$/.test(portText)) return { error: 'the port is not a number' };
    const n = portText.length > 6 ? Number.POSITIVE_INFINITY : Number(portText);
    if (n > 65535) return { error: 'the port is above 65535' };
    port = n === (scheme === 'http' ? 80 : 443) ? '' : String(n);
  }
  const host = parseHost(hostText);
  if (typeof host !== 'string') return host;

  // Path: \ is a separator in special URLs; . and .. segments (also as %2e) are resolved.
  const hashAt = rest.indexOf('#');
  const fragment = hashAt === -1 ? undefined : encode(rest.slice(hashAt + 1), FRAGMENT_SET);
  const beforeHash = hashAt === -1 ? rest : rest.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const query = queryAt === -1 ? undefined : encode(beforeHash.slice(queryAt + 1), SPECIAL_QUERY_SET);
  const pathText = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const segments: string[] = [];
  const raws = pathText === '' ? [''] : pathText.slice(/^[/\\]/.test(pathText) ? 1 : 0).split(/[/\\]/);
  raws.forEach((seg, i) => {
    const last = i === raws.length - 1;
    const lower = seg.toLowerCase();
    if (lower === '..' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e') {
      segments.pop();
      if (last) segments.push('');
    } else if (lower === '.' || lower === '%2e') {
      if (last) segments.push('');
    } else segments.push(encode(seg, PATH_SET));
  });
  const pathname = `/${segments.join('/')}`;
  const creds = username || password ? `${username}${password ? `:${password}` : ''}@` : '';
  const tail = `${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`;
  const href = `${scheme}://${creds}${host}${port ? `:${port}` : ''}${pathname}${tail}`;
  // As URL's getters: an empty query or fragment reads as '' (href keeps its ? or #).
  const search = query ? `?${query}` : '';
  const hash = fragment ? `#${fragment}` : '';
  return { scheme, username, password, hostname: host, port, pathname, search, hash, href };
}

interface PlatformUrl {
  protocol: string;
  username: string;
  password: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  href: string;
}
type UrlConstructor = new (input: string) => PlatformUrl;

/** Parses an http(s) URL (or one of `schemes`) with the runtime's WHATWG `URL` (Node), else with this
 *  module's parser (k6, http(s) only). */
export function parseHttpUrl(raw: string, schemes: readonly string[] = ['http', 'https']): Parsed {
  const Platform = (globalThis as { URL?: UrlConstructor }).URL;
  if (!Platform) return parseWhatwgHttp(raw);
  let u: PlatformUrl;
  try {
    u = new Platform(raw);
  } catch {
    return { error: 'not a URL' };
  }
  const scheme = u.protocol.slice(0, -1);
  if (!schemes.includes(scheme)) return { error: 'not an http(s) URL' };
  if (!u.hostname) return { error: 'the host is missing' };
  const { username, password, hostname, port, pathname, search, hash, href } = u;
  return { scheme, username, password, hostname, port, pathname, search, hash, href };
}

// ---- the policy every URL setting goes through ----

export interface UrlRules {
  /** A query is part of some URLs (a webhook's token); a base URL the harness appends paths to has none.
   *  A list of schemes: only URLs of those schemes may have one (an amqp:// outbox's ?queue=). */
  query?: boolean | readonly string[];
  /** user:password@ — only where the client sends them as Basic auth (a Pushgateway behind a proxy). */
  credentials?: boolean;
  /** Refuse a path ending in /v2: the harness appends /v2/... itself. */
  apiBase?: boolean;
  /** Schemes taken (default http, https), e.g. ['http', 'https', 'amqp'] for a mail outbox. */
  schemes?: readonly string[];
  /** What a good value looks like, for the problem text (default: an API's base URL). */
  example?: string;
}

export const MAX_URL_LENGTH = 2048;

/** The URL a setting gives, checked against `rules`: its canonical form, or why it is refused.
 *  The problem never quotes the value (it may hold a password or a webhook's secret path). */
export function checkUrl(raw: string, rules: UrlRules = {}): { url: HttpUrl; value: string } | { problem: string } {
  if (raw.length > MAX_URL_LENGTH) return { problem: `expected a URL of at most ${MAX_URL_LENGTH} characters` };
  const schemes = rules.schemes ?? ['http', 'https'];
  const expected =
    schemes.length === 2 && schemes.includes('http') && schemes.includes('https')
      ? 'an http(s) URL'
      : `a URL whose scheme is ${schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}` : schemes[0]}`;
  const parsed = parseHttpUrl(raw, schemes);
  const example = rules.example ?? (expected === 'an http(s) URL' ? 'https://api.staging.example.com' : `${schemes[0]}://127.0.0.1`);
  if ('error' in parsed)
    return {
      problem:
        parsed.error === 'not a URL' || parsed.error === 'not an http(s) URL'
          ? `expected ${expected} such as ${example}`
          : `expected ${expected}: ${parsed.error}`,
    };
  if (!rules.credentials && (parsed.username || parsed.password))
    return {
      problem:
        'must not hold a user name or password (user:password@…): they would be sent with every request and shown wherever the URL is',
    };
  if (parsed.hash || /#/.test(raw))
    return { problem: 'must not have a fragment (#…): it is never sent, so the URL would not mean what it says' };
  const query = queryAllowed(rules, parsed.scheme);
  if (!query && (parsed.search || /\?/.test(raw)))
    return { problem: 'must not have a query (?…): the harness appends paths such as /v2/auth/login to it' };
  const path = parsed.pathname.replace(/\/+$/, '');
  if (rules.apiBase && /\/v2$/i.test(path)) return { problem: 'give the base URL without /v2 (the harness appends /v2/...)' };
  const creds = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  const origin = `${parsed.scheme}://${creds}${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  return { url: parsed, value: query ? `${origin}${parsed.pathname}${parsed.search}` : `${origin}${path}` };
}

/** May a URL of `scheme` have a query under `rules`? */
export const queryAllowed = (rules: UrlRules, scheme: string): boolean =>
  rules.query === true || (typeof rules.query === 'object' && rules.query.includes(scheme));

/** TARGET_URL: a base URL the harness appends /v2/... to. */
export const TARGET_URL_RULES: UrlRules = { apiBase: true };

/** TARGET_SMTP_URL (the bundled target's mail relay): nodemailer's connection URL, which may carry
 *  the relay's user:password and options as a query (smtps://user:pass@host:465/?pool=true). */
export const SMTP_URL_RULES: UrlRules = {
  schemes: ['smtp', 'smtps'],
  credentials: true,
  query: true,
  example: 'smtp://127.0.0.1:1025 (Mailpit)',
};
