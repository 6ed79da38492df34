// The status badge (`/badge.svg` on the service), Gatus-style: a flat SVG with a grey label and a
// coloured value, for a README, a wiki or a dashboard link. Overall (`/badge.svg`: passing, failing),
// one check (`?check=login`: its latest result), or an uptime (`?uptime=24h|7d|30d`, with `check` for
// that check's own). `?label=` names it (default: the target's label, or the check). No secret can be
// in it: statuses, check names and numbers only, and the label escaped.
import type { Monitor } from './monitor.ts';
import { CHECK_NAMES, passed } from './types.ts';

/** Gatus's colours: up, down, and its uptime scale. */
const GREEN = '#40cc55';
const RED = '#c7130a';
const GREY = '#9f9f9f';
const COLOURS: Record<string, string> = { degraded: '#ccb311', known: '#8250df' };
const UPTIME_SCALE: Array<[atLeast: number, colour: string]> = [
  [99.999, GREEN],
  [99.8, '#94cc40'],
  [99, '#ccd311'],
  [95, '#ccb311'],
  [90, '#cc8111'],
  [0, RED],
];
const WINDOWS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Roughly Verdana 11 px, the badges' font: enough to size the boxes. */
function textWidth(s: string): number {
  let w = 0;
  for (const c of s) w += /[ilj.,:;'|!]/.test(c) ? 3.5 : /[A-Z%mw@]/.test(c) ? 9 : /[frt\- ()]/.test(c) ? 4.6 : 7;
  return Math.ceil(w);
}

export function badgeSvg(label: string, value: string, colour: string): string {
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const w = lw + vw;
  const [l, v] = [xml(label), xml(value)];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${v}"><title>${l}: ${v}</title>` +
    `<linearGradient id="b" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/>` +
    `</linearGradient><mask id="a"><rect width="${w}" height="20" rx="3" fill="#fff"/></mask><g mask="url(#a)">` +
    `<path fill="#555" d="M0 0h${lw}v20H0z"/><path fill="${colour}" d="M${lw} 0h${vw}v20H${lw}z"/>` +
    `<path fill="url(#b)" d="M0 0h${w}v20H0z"/></g><g fill="#fff" text-anchor="middle" ` +
    `font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>` +
    `<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${v}</text><text x="${lw + vw / 2}" y="14">${v}</text>` +
    `</g></svg>`
  );
}

export type BadgeAnswer = { status: 200; svg: string; label: string; value: string } | { status: 404; text: string };

/** The badge a query asks for, from the monitor's history (the latest pass, or the uptime windows). */
export function badgeFor(monitor: Monitor, query: URLSearchParams, targetLabel: string, now = Date.now()): BadgeAnswer {
  const check = query.get('check') ?? undefined;
  const window = query.get('uptime') ?? undefined;
  if (check !== undefined && !(CHECK_NAMES as readonly string[]).includes(check))
    return { status: 404, text: `no check '${check.slice(0, 40)}': the checks are ${CHECK_NAMES.join(', ')}\n` };
  if (window !== undefined && !(window in WINDOWS))
    return { status: 404, text: `no uptime window '${window.slice(0, 20)}': use ${Object.keys(WINDOWS).join(', ')}\n` };
  const label = (query.get('label') ?? '').slice(0, 60) || (window ? `${check ?? 'uptime'} ${window}` : (check ?? targetLabel));
  const answer = (value: string, colour: string): BadgeAnswer => ({ status: 200, svg: badgeSvg(label, value, colour), label, value });
  const timeline = monitor.timeline;
  if (window) {
    const since = now - WINDOWS[window]!;
    const u = check
      ? monitor.state.checkUptime(timeline, [since]).get(check as (typeof CHECK_NAMES)[number])?.[0]
      : monitor.state.uptime(timeline, since);
    if (!u?.total) return answer('no data', GREY);
    const p = (100 * u.passed) / u.total;
    // 99.995 must not round up to a reassuring 100 %.
    const shown = p === 100 ? '100%' : `${(Math.floor(p * 100) / 100).toFixed(2)}%`;
    return answer(shown, UPTIME_SCALE.find(([min]) => p >= min)![1]);
  }
  const latest = monitor.lastPass ?? monitor.state.recentPasses(timeline, 1)[0];
  if (!latest) return answer('no data', GREY);
  if (!check) return latest.status === 'pass' ? answer('passing', GREEN) : answer('failing', RED);
  const c = latest.checks.find((x) => x.name === check);
  if (!c) return answer('no data', GREY);
  if (c.status === 'pass') return answer('passing', GREEN);
  if (c.status === 'fail') return answer('failing', RED);
  if (c.status === 'known') return answer('known issue', COLOURS.known!);
  return answer(c.status, passed(c.status) ? (COLOURS[c.status] ?? GREEN) : GREY);
}
