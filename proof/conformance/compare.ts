// How the conformance script compares one answer of the real server with the reference target's
// answer to the same request: the status; the headers a client reads (Content-Type,
// WWW-Authenticate, Vary and CORS, the rate-limit and request-id headers, Date, Content-Length);
// the body's shape (field names, their order, JSON types) and every value that two correct servers
// must agree on (messages, usernames, tiers, constants). Values that differ between any two servers
// by nature (ids, times, tokens, request ids, how much of the hourly rate is left) are compared by
// their form instead: "RFC 3339, fractional seconds", "JWT HS256 {exp,id,orig_iat}", "UUID".
import { decodeToken } from '../../core/jwt.ts';

export interface Answer {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (as fetch does). */
  headers: Record<string, string>;
  text: string;
}

export interface Difference {
  case: string;
  /** status, header <name>, body <path> */
  where: string;
  real: string;
  reference: string;
}

/** Transport-level headers each HTTP stack writes its own way (Go sends Content-Length where Node
 *  may chunk; Node announces keep-alive): not the API's answer. */
export const TRANSPORT_HEADERS = ['connection', 'keep-alive', 'transfer-encoding'];

/** Body fields whose values differ between servers by nature: compared by form. */
const VOLATILE_FIELDS = new Set(['ID', 'CreatedAt', 'UpdatedAt', 'expire', 'token']);

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/;

const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));
const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The form of a value that differs by nature. */
export function formOf(v: unknown): string {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? (v > 0 ? 'a positive integer' : 'an integer') : 'a number';
  if (typeof v !== 'string') return jsonType(v);
  const t = RFC3339.exec(v);
  if (t) return `RFC 3339, ${t[1] ? 'fractional seconds' : 'whole seconds'}, ${t[2] === 'Z' ? 'UTC' : 'with an offset'}`;
  const jwt = decodeToken(v);
  if (jwt && v.split('.').length === 3) {
    const claims = Object.entries(jwt.claims)
      .map(([k, x]) => `${k}:${k === 'id' ? show(x) : jsonType(x)}`)
      .join(', ');
    return `JWT ${JSON.stringify(jwt.header)} {${claims}}`;
  }
  if (UUID.test(v)) return 'a UUID';
  return `a string of ${v.length} characters`;
}

function compareJson(c: string, path: string, a: unknown, b: unknown, out: Difference[]): void {
  const key = path.split('.').at(-1) ?? '';
  const where = `body ${path || '(top)'}`;
  if (jsonType(a) !== jsonType(b)) {
    out.push({ case: c, where: `${where} type`, real: jsonType(a), reference: jsonType(b) });
    return;
  }
  if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    const onlyA = ka.filter((k) => !kb.includes(k));
    const onlyB = kb.filter((k) => !ka.includes(k));
    if (onlyA.length || onlyB.length)
      out.push({
        case: c,
        where: `${where} fields`,
        real: onlyA.length ? `also ${onlyA.join(', ')}` : '-',
        reference: onlyB.length ? `also ${onlyB.join(', ')}` : '-',
      });
    const common = ka.filter((k) => kb.includes(k));
    const orderB = kb.filter((k) => ka.includes(k));
    if (common.join() !== orderB.join())
      out.push({ case: c, where: `${where} field order`, real: common.join(', '), reference: orderB.join(', ') });
    for (const k of common)
      compareJson(c, path ? `${path}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], out);
    return;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) out.push({ case: c, where: `${where} length`, real: String(a.length), reference: String(bb.length) });
    for (let i = 0; i < Math.min(a.length, bb.length); i++) compareJson(c, `${path}[${i}]`, a[i], bb[i], out);
    return;
  }
  if (VOLATILE_FIELDS.has(key)) {
    const [fa, fb] = [formOf(a), formOf(b)];
    if (fa !== fb) out.push({ case: c, where: `${where} form`, real: fa, reference: fb });
    return;
  }
  if (a !== b) out.push({ case: c, where, real: show(a), reference: show(b) });
}

/** A header's value as compared: exact, or by form for those that differ by nature. */
function headerForm(name: string, v: string | undefined, nowMs: number): string | undefined {
  if (v === undefined) return undefined;
  switch (name) {
    case 'x-request-id':
      return UUID.test(v) ? 'a UUID' : show(v);
    case 'x-ratelimit-remaining':
      return /^\d+$/.test(v) ? 'a whole number' : show(v);
    case 'x-ratelimit-reset': {
      const s = Number(v);
      return /^\d+$/.test(v) && s * 1000 > nowMs - 60_000 && s * 1000 <= nowMs + 3_660_000 ? 'unix seconds within the next hour' : show(v);
    }
    case 'date': {
      const ok = HTTP_DATE.test(v) && Math.abs(Date.parse(v) - nowMs) < 120_000;
      return ok ? 'an HTTP date, now' : show(v);
    }
    case 'content-length':
      return /^\d+$/.test(v) ? 'present' : show(v);
    default:
      return v;
  }
}

/** Every difference between the real server's answer and the reference's to the same request. */
export function compareAnswers(c: string, real: Answer, ref: Answer, nowMs = Date.now()): Difference[] {
  const out: Difference[] = [];
  if (real.status !== ref.status) out.push({ case: c, where: 'status', real: String(real.status), reference: String(ref.status) });
  const names = [...new Set([...Object.keys(real.headers), ...Object.keys(ref.headers)])]
    .filter((n) => !TRANSPORT_HEADERS.includes(n))
    .sort();
  for (const n of names) {
    const [a, b] = [headerForm(n, real.headers[n], nowMs), headerForm(n, ref.headers[n], nowMs)];
    if (a !== b) out.push({ case: c, where: `header ${n}`, real: a ?? '(absent)', reference: b ?? '(absent)' });
  }
  let ja: unknown;
  let jb: unknown;
  let bothJson = real.text !== '' && ref.text !== '';
  try {
    ja = JSON.parse(real.text);
    jb = JSON.parse(ref.text);
  } catch {
    bothJson = false;
  }
  if (bothJson) compareJson(c, '', ja, jb, out);
  else if (real.text !== ref.text)
    out.push({
      case: c,
      where: 'body',
      real: real.text === '' ? '(empty)' : show(real.text.slice(0, 120)),
      reference: ref.text === '' ? '(empty)' : show(ref.text.slice(0, 120)),
    });
  return out;
}
