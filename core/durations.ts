// Human wording of durations for on-call messages ("1h 0m", "23h 59m 30s").
// A leaf module (no imports): the k6 scripts use it too.

export function humanDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${sign}${h}h ${m}m${s ? ` ${s}s` : ''}`;
  if (m > 0) return `${sign}${m}m${s ? ` ${s}s` : ''}`;
  return `${sign}${s}s`;
}

/** A token's lifetime as the harness states it: to the minute when the tolerance is a minute or more (the
 *  contract's ±60 s), else to the second. `expire` and the Date header it is measured from are whole seconds
 *  taken at two instants, so a 1 h token answered a second after it was signed measures 3599 s: "1h 0m", as
 *  every other answer carrying such a token measures it, not "59m 59s" (the release check groups failures
 *  that say the same thing, and an on-call engineer reads the same words from every part). */
export function humanLifetime(lifetimeS: number, toleranceS: number): string {
  const unit = toleranceS >= 60 ? 60 : 1;
  return humanDuration(Math.round(lifetimeS / unit) * unit);
}

/** "24h ± 60s" */
export const expectedLifetime = (lifetimeS: number, toleranceS: number): string =>
  `${humanDuration(lifetimeS)} ± ${humanDuration(toleranceS)}`;

/** Unix seconds as the API writes times: RFC 3339 in UTC, whole seconds (2018-12-21T19:31:42Z). */
export const rfc3339 = (unixS: number): string => new Date(unixS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An HTTP Date header as unix seconds (the server's clock, whole seconds); undefined when absent or unreadable. */
export function dateHeaderS(value: string | undefined): number | undefined {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? undefined : t / 1000;
}

/** "90s", "5m", "2h30m", "7d" → seconds; "0" → 0; undefined when the text is no such duration. */
export function parseDurationS(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (!/^(?:\d+(?:\.\d+)?[dhms])+$/.test(t)) return undefined;
  const unit: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}
