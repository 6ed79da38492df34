// Text a target sent, on a terminal: control characters shown escaped, never acted on. A server's
// error message or a JSON key may hold ESC sequences (set the window title, clear the screen, move
// the cursor), a CR (overwrite the line with a forged one), a BEL, the C1 codes a terminal also
// obeys (U+009B is CSI) or the Unicode controls that reorder or break what is shown (bidi overrides,
// line separators). Import-free: the k6 scripts use it too.

// C0 but TAB and LF, DEL, C1; U+2028/2029 (line and paragraph separators); the bidi embeddings,
// overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, with TAB and LF: inside one value, a line break forges a line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const CONTROLS_AND_BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// SGR (colours and styles) and nothing else: what the harness's own programs print (pino-pretty,
// Playwright's list reporter) when the release check passes their lines through.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what this looks for
const SGR = /\u001b\[[0-9;]*m/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** `\e`, `\r`, `\x07`, `\u202e`: a control character as people read it. */
const escaped = (c: string): string => {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** One value (a message, a field name, a header) for a terminal: every control character escaped,
 *  line breaks and tabs included. */
export const terminalValue = (s: string): string => s.replace(CONTROLS_AND_BREAKS, escaped);

/** Lines for a terminal: every control character escaped but the line breaks and tabs between them;
 *  with `colors`, SGR sequences (colours) are kept as they are. */
export function terminalText(s: string, o: { colors?: boolean } = {}): string {
  if (!o.colors) return s.replace(CONTROLS, escaped);
  // Keep each SGR run, escape what lies between.
  let out = '';
  let at = 0;
  for (const m of s.matchAll(SGR)) {
    out += s.slice(at, m.index).replace(CONTROLS, escaped) + m[0];
    at = m.index + m[0].length;
  }
  return out + s.slice(at).replace(CONTROLS, escaped);
}
