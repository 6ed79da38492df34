// k6's execution segments (`--execution-segment=1/4:2/4`), as the k6-operator gives each of its
// runners one and `npm run load -e LOAD_INSTANCES=N` gives each of its k6 processes one: the part of
// a count (the setup() pool) that falls in a segment. A leaf module with no imports: the k6 scripts
// split their pool with it, the Node runner and the self-tests check the same arithmetic.

/** A fraction as k6 writes one: `0`, `1`, `1/4`, `0.25`, `25%`. */
interface Fraction {
  num: number;
  den: number;
}

function fraction(text: string): Fraction | undefined {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) return Number(m[2]) > 0 ? { num: Number(m[1]), den: Number(m[2]) } : undefined;
  m = /^(\d+)(?:\.(\d+))?(%?)$/.exec(t);
  if (!m) return undefined;
  const decimals = m[2] ?? '';
  const den = 10 ** decimals.length * (m[3] ? 100 : 1);
  return { num: Number(`${m[1]}${decimals}`), den };
}

/** `from:to` of a segment, or the whole test (0:1) for none (an undefined, null or empty option). */
export function parseSegment(segment: string | null | undefined): { from: Fraction; to: Fraction } | undefined {
  if (!segment?.trim()) return { from: { num: 0, den: 1 }, to: { num: 1, den: 1 } };
  const [a, b, extra] = segment.split(':');
  // k6 also takes a single fraction, `1/4`, meaning 0:1/4.
  const from = b === undefined ? { num: 0, den: 1 } : fraction(a ?? '');
  const to = fraction(b ?? a ?? '');
  if (extra !== undefined || !from || !to || from.num / from.den >= to.num / to.den || to.num > to.den) return undefined;
  return { from, to };
}

/**
 * The indices [start, end) of a pool of `count` that belong to this segment: floor(to·count) −
 * floor(from·count), so the segments of one sequence share the pool out exactly (their parts add up
 * to `count`, never `count` each). A segment whose share rounds to nothing still gets one (a pool
 * smaller than the instances: each instance needs an account).
 */
export function segmentShare(count: number, segment: string | null | undefined): { start: number; end: number } {
  const s = parseSegment(segment);
  if (!s || count <= 0) return { start: 0, end: Math.max(0, count) };
  const at = (f: Fraction) => Math.floor((count * f.num) / f.den);
  const start = Math.min(at(s.from), count - 1);
  return { start, end: Math.max(start + 1, at(s.to)) };
}
