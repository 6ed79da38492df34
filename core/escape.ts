// HTML/XML text and attribute escaping for every report the harness writes (release report, the
// monitor's status page, k6's JUnit file). A leaf module: k6 scripts import it too.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeMarkup = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
