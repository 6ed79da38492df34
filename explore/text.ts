// Unusual text, generated: the fragments a real user, a password manager or a copy-paste puts into a
// field (Unicode, whitespace, separators, markup-like text, HTML entities, control characters, long
// runs), and the classifier that says afterwards which kind of fragment a minimal counterexample holds.
// Fields are generated as a few fragments joined, so shrinking drops the innocent fragments and leaves
// the one that matters ("a password containing `&amp;`").
import fc from 'fast-check';

export const CATEGORIES = ['unicode', 'whitespace', 'separator', 'markup', 'entity', 'control', 'long'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What each category is called in a finding's sentence. */
export const CATEGORY_WORDS: Record<Category, string> = {
  unicode: 'non-ASCII text',
  whitespace: 'unusual whitespace',
  separator: 'a separator character',
  markup: 'markup-like text',
  entity: 'an HTML entity',
  control: 'a control character',
  long: 'a long run of characters',
};

// Whitespace a paste or another keyboard brings: tab, newline, CRLF, no-break and em spaces, the
// zero-width space, the ideographic space, a byte-order mark.
const WHITESPACE = [' ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u200b', '\u3000', '\ufeff'];
// Characters with a meaning in URLs, forms, JSON, shells or SQL.
const SEPARATORS = [...'/?#&=;,:%+\\|"\'`.!$*()[]{}~^<>'];
const ENTITY_NAMES = ['amp', 'lt', 'gt', 'quot', 'apos', 'nbsp', 'copy', 'eacute', 'hellip', 'euro'];
const TAGS = ['b', 'i', 'a', 'p', 'script', 'img', 'div', 'svg', 'style'];

const plain = fc.stringMatching(/^[a-z0-9]{1,6}$/);

const FRAGMENTS: Record<Category, fc.Arbitrary<string>> = {
  unicode: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }).filter((s) => [...s].some((c) => c.codePointAt(0)! > 127)),
  whitespace: fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 3 }).map((a) => a.join('')),
  separator: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 3 }).map((a) => a.join('')),
  markup: fc.oneof(
    { withCrossShrink: true },
    fc.constantFrom(...TAGS).map((t) => `<${t}>`),
    fc.constantFrom(...TAGS).map((t) => `</${t}>`),
    fc.tuple(fc.constantFrom(...TAGS), plain).map(([t, v]) => `<${t} title="${v}">`),
    plain.map((v) => `<!--${v}-->`),
  ),
  entity: fc.oneof(
    { withCrossShrink: true },
    fc.tuple(fc.constantFrom(...ENTITY_NAMES), fc.constantFrom(';', '')).map(([n, semi]) => `&${n}${semi}`),
    fc.integer({ min: 0, max: 0x10ffff }).map((n) => `&#${n};`),
    fc.integer({ min: 0, max: 0x10ffff }).map((n) => `&#x${n.toString(16)};`),
  ),
  control: fc.oneof(fc.integer({ min: 0, max: 31 }), fc.constant(127)).map((c) => String.fromCharCode(c)),
  // A run of one character, long enough to cross bcrypt's 72 bytes or a 255-character column; it
  // shrinks to the shortest run that still fails.
  long: fc.tuple(fc.constantFrom('a', 'é', '€', '😀'), fc.integer({ min: 24, max: 300 })).map(([c, n]) => c.repeat(n)),
};

/**
 * One example of each kind, for the corpus every run tries first whatever its seed (as Hypothesis and
 * Schemathesis seed a search with examples): each one a kind of text that has broken this server or its
 * libraries. In the order the corpus tries them: markup before the entity and the separators (whose `;`
 * a filter that chokes on markup may choke on too), control characters before whitespace (a target that
 * strips both is first seen stripping a control character).
 */
export const SAMPLES: ReadonlyArray<readonly [Category, string]> = [
  ['markup', '<b>'],
  ['entity', '&amp;'],
  // A dot too: names with one have gone without their welcome mail.
  ['separator', '.;=&+%'],
  ['control', '\u0001\u007f'],
  // A line break as a form sends it, a tab, and a space at the end (what a trim removes).
  ['whitespace', '\r\n\t '],
  // Composed and decomposed (é, e + U+0301), a 3-byte and a 4-byte character.
  ['unicode', 'é\u0065\u0301€😀'],
  // With a password's 12 hidden bytes, 73 in all: one past what bcrypt reads.
  ['long', 'a'.repeat(61)],
];

/** Some extra text for a field: nothing half the time (so a counterexample's innocent fields are
 *  already plain and shrinking has less to do), else up to `max` fragments, plain or unusual. */
export function extraText(allowed: readonly Category[], max = 3): fc.Arbitrary<string> {
  const kinds = allowed.map((c) => ({ arbitrary: FRAGMENTS[c], weight: 1 }));
  const fragment = fc.oneof({ withCrossShrink: true }, { arbitrary: plain, weight: 2 }, ...kinds);
  return fc.oneof(
    { withCrossShrink: true },
    fc.constant(''),
    fc.array(fragment, { minLength: 1, maxLength: max }).map((parts) => parts.join('')),
  );
}

const ENTITY = /&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?/g;
const MARKUP = /<\/?[A-Za-z!][^<>]*>/g;

export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Which kinds of unusual text `s` holds (an entity's `&` and `;` count as the entity, not as separators).
 *  `hiddenBytes`: plain bytes sent before it (a password's hidden part), which count toward `long`. */
export function classify(s: string, hiddenBytes = 0): Category[] {
  const found = new Set<Category>();
  if (ENTITY.test(s)) found.add('entity');
  ENTITY.lastIndex = 0;
  if (MARKUP.test(s)) found.add('markup');
  MARKUP.lastIndex = 0;
  const rest = s.replace(ENTITY, '').replace(MARKUP, '');
  for (const ch of rest) {
    const code = ch.codePointAt(0)!;
    if (WHITESPACE.includes(ch) || /\s/u.test(ch)) found.add('whitespace');
    else if (code < 32 || code === 127) found.add('control');
    else if (code > 127) found.add('unicode');
    else if (SEPARATORS.includes(ch)) found.add('separator');
  }
  // At bcrypt's 72 bytes a password is long: one more character is past what bcrypt reads.
  if (hiddenBytes + utf8Length(s) >= 72) found.add('long');
  return CATEGORIES.filter((c) => found.has(c));
}

/** `&amp;` → "`&amp;`", with invisible characters spelled out so a reader sees them. */
export function shown(s: string, max = 48): string {
  const visible = [...s]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (ch === ' ') return ' ';
      if (code < 32 || code === 127 || /[\s\u200b\ufeff]/u.test(ch)) return `\\u{${code.toString(16)}}`;
      return ch;
    })
    .join('');
  const runs = /^(.)\1{11,}$/u.exec(s);
  if (runs) return `\`${runs[1]}\` × ${[...s].length}`;
  return `\`${visible.length > max ? `${visible.slice(0, max)}…` : visible}\``;
}

/** How many plain bytes a password carries before its generated tail (World.secretPart). */
export const HIDDEN_PASSWORD_BYTES = 12;

/** "a password containing an HTML entity (`&amp;`)", for the text a field carried after its plain part. */
export function describeExtra(field: string, extra: string, hiddenBytes?: number): string {
  const kinds = classify(extra, hiddenBytes);
  const bytes = hiddenBytes === undefined ? '' : `, ${hiddenBytes + utf8Length(extra)} bytes in all`;
  if (kinds.length === 0) return `${field} ending in ${shown(extra)}${bytes ? ` (${bytes.slice(2)})` : ''}`;
  return `${field} containing ${kinds.map((k) => CATEGORY_WORDS[k]).join(' and ')} (${shown(extra)}${bytes})`;
}
