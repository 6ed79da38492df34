// "90s", "5m", "1h30m", "2m30s" → seconds. A leaf module (no imports): k6 and Node both parse
// DURATION with it, so the orchestrator refuses exactly what the script would refuse.

const PART = /(\d+(?:\.\d+)?)(h|m|s)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:h|m|s))+$/;

/** Seconds, or undefined when the text is not a duration like 30s, 5m, 1h30m. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!WHOLE.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
  }
  return total;
}

/** k6 duration text for whole seconds ("75s"). */
export const k6Duration = (seconds: number): string => `${Math.max(0, Math.round(seconds))}s`;
