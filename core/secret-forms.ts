// The shapes a known secret takes once something has carried it: a target that echoes a password
// inside JSON escapes its `"` and `\` (and Go escapes < > & and, with some encoders, every non-ASCII
// character); a URL or a form percent-encodes it (a space as %20 or +); a Basic header or a token
// base64-encodes it, at any of three byte alignments inside a longer value; an HTML report escapes
// its markup characters. Redaction looks for every one of them (core/redact.ts). Import-free.

export interface SecretForms {
  /** Exact texts, longest first. */
  literals: string[];
  /** Percent-encoding in any mix (a character encoded or not, %2f or %2F, a space as + or %20);
   *  undefined when the secret has nothing a URL encodes. */
  percent?: RegExp;
}

/** Below this, a base64 piece would match ordinary text. */
const MIN_BASE64 = 6;

const jsonBody = (s: string): string => JSON.stringify(s).slice(1, -1);
const hex4 = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;
/** Go's encoding/json: < > & and the line separators escaped too. */
const goJson = (s: string): string => jsonBody(s).replace(/[<>&\u2028\u2029]/g, (c) => hex4(c.charCodeAt(0)));
/** An ASCII-only encoder (Python's default, Go's with some options): every non-ASCII UTF-16 unit as \uXXXX. */
const asciiJson = (s: string): string => goJson(s).replace(/[^ -~]/g, (c) => hex4(c.charCodeAt(0)));

function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The base64 characters that depend only on the secret's bytes when it sits `offset` bytes (0, 1, 2)
 * into a longer value: the characters at either end that mix in the neighbours' bits are dropped.
 * (`user:pass` in a Basic header puts the password at offset 5, alignment 2.)
 */
function base64Core(bytes: readonly number[], offset: number): string {
  const all = [...new Array<number>(offset).fill(0), ...bytes];
  let chars = '';
  for (let i = 0; i < all.length; i += 3) {
    const n = ((all[i] ?? 0) << 16) | ((all[i + 1] ?? 0) << 8) | (all[i + 2] ?? 0);
    chars += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  // Character k carries bits 6k..6k+5; the secret's bits are 8*offset .. 8*(offset+length).
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * all.length) / 6);
  return chars.slice(first, end);
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const hexEither = (h: string): string => (/[a-f]/i.test(h) ? `[${h.toLowerCase()}${h.toUpperCase()}]` : h);

/** Each character: itself, or its UTF-8 bytes percent-encoded (either case), a space also as +. */
function percentPattern(s: string): RegExp | undefined {
  if (/^[A-Za-z0-9]*$/.test(s)) return undefined;
  const parts: string[] = [];
  for (const ch of s) {
    if (/[A-Za-z0-9]/.test(ch)) {
      parts.push(ch);
      continue;
    }
    const encoded = utf8(ch)
      .map((b) => {
        const h = b.toString(16).toUpperCase().padStart(2, '0');
        return `%${hexEither(h[0]!)}${hexEither(h[1]!)}`;
      })
      .join('');
    parts.push(`(?:${regexEscape(ch)}|${encoded}${ch === ' ' ? '|\\+' : ''})`);
  }
  return new RegExp(parts.join(''), 'g');
}

// The report writers' escapes (core/escape.ts), and React's (Playwright's HTML report).
const HTML_FORMS: Record<string, string>[] = [
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' },
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' },
];

const cache = new Map<string, SecretForms>();

/** Every form of `secret` redaction looks for (cached: the same secrets are asked for again and again). */
export function secretForms(secret: string): SecretForms {
  const hit = cache.get(secret);
  if (hit) return hit;
  const literals = new Set<string>([secret]);
  for (const json of [jsonBody(secret), goJson(secret), asciiJson(secret)]) {
    literals.add(json);
    // Escaped twice: a JSON report quoting a JSON body.
    literals.add(jsonBody(json));
  }
  for (const map of HTML_FORMS) literals.add(secret.replace(/[&<>"']/g, (c) => map[c]!));
  const bytes = utf8(secret);
  if (bytes.length >= MIN_BASE64)
    for (const offset of [0, 1, 2]) {
      const core = base64Core(bytes, offset);
      if (core.length < MIN_BASE64) continue;
      literals.add(core);
      literals.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  const forms: SecretForms = { literals: [...literals].sort((a, b) => b.length - a.length), percent: percentPattern(secret) };
  if (cache.size > 5000) cache.clear();
  cache.set(secret, forms);
  return forms;
}
