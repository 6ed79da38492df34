// Terminal injection: a target's error message and JSON keys holding ESC sequences (window
// title, clear screen), CR, LF, BEL, C1 codes and bidi overrides reached the --once table and the
// release check's output raw. Every program that quotes a target on a terminal shows them escaped:
// run here against one hostile server, each program's whole output may hold no control character
// but line breaks, tabs and colour (SGR) sequences.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { terminalText, terminalValue } from '../../core/terminal.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const NASTY = 'x\u001b]0;pwned\u0007 \u001b[2J\u001b[H\rGO: every check passed\n\u009b31m \u202eevil\u2028';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Colour sequences are the programs' own (Playwright's, pino-pretty's): everything else is not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what this looks for
const withoutColours = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

let server: ReturnType<typeof createServer>;
let url = '';
before(async () => {
  // Login gives a token; credits answer 200 with the nasty text (a C1 code first) as the balance and as
  // a field name; every other request gets 400 with it as the message and as a field name.
  const jwt = (exp: number) =>
    `${['{"alg":"HS256","typ":"JWT"}', JSON.stringify({ exp })].map((p) => Buffer.from(p).toString('base64url')).join('.')}.c2ln`;
  server = createServer((req, res) => {
    req.resume();
    const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (req.url === '/v2/auth/login') {
      const exp = Math.floor(Date.now() / 1000) + 86_400;
      json(200, { code: 200, expire: new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), token: jwt(exp) });
    } else if (req.url === '/v2/account/credits/available') json(200, { code: 200, response: `\u009b2J${NASTY}`, [NASTY]: 1 });
    else json(400, { code: 400, response: NASTY, message: NASTY, [NASTY]: 1 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('terminalValue escapes every control character of a value; terminalText keeps line breaks, and colours when asked', () => {
  assert.equal(terminalValue(NASTY), 'x\\e]0;pwned\\x07 \\e[2J\\e[H\\rGO: every check passed\\n\\x9b31m \\u202eevil\\u2028');
  assert.equal(terminalText('a\tb\nc\rd\u0007'), 'a\tb\nc\\rd\\x07');
  assert.equal(terminalText('\u001b[31mred\u001b[39m \u001b]0;t\u0007', { colors: true }), '\u001b[31mred\u001b[39m \\e]0;t\\x07');
  assert.equal(terminalText('\u001b[31mred', {}), '\\e[31mred');
});

const BLANK = {
  TARGET_FAULTS: '',
  TARGET_GENERATION: '',
  MAIL_INBOX_URL: '',
  MONITOR_USERNAME: '',
  MONITOR_PASSWORD: '',
  LOG_FORMAT: 'json',
};

test('the monitor, the explorer, the load runner and the release check quote a hostile target escaped', { concurrency: 4 }, async (t) => {
  const dir = tempDir('hx-terminal-');
  const env = { ...BLANK, TARGET_URL: url, REPORTS_DIR: join(dir, 'reports'), MONITOR_DB: join(dir, 'monitor.db'), MONITOR_RETRIES: '0' };
  const runs: Record<string, [string, string[], Record<string, string>]> = {
    'npm run monitor -- --once': [
      process.execPath,
      ['--import', 'tsx', 'monitors/main.ts', '--once'],
      { ...env, MONITOR_DB: join(dir, 'm1.db') },
    ],
    'npm run explore': [process.execPath, ['--import', 'tsx', 'explore/main.ts'], { ...env, EXPLORE_SECONDS: '5', EXPLORE_RUNS: '2' }],
    'npm run load -- credits': [
      process.execPath,
      ['--import', 'tsx', 'load/runner/main.ts', 'credits', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_RATE=2'],
      { ...env, LOAD_USERNAME: 'someone', LOAD_PASSWORD: 'a-password-1' },
    ],
    'npm start (monitor and explore)': [
      process.execPath,
      ['--import', 'tsx', 'release/check.ts'],
      { ...env, RELEASE_PARTS: 'monitor,explore', EXPLORE_SECONDS: '5', EXPLORE_RUNS: '2', MONITOR_DB: join(dir, 'm2.db') },
    ],
  };
  await Promise.all(
    Object.entries(runs).map(([name, [cmd, args, e]]) =>
      t.test(name, async () => {
        const r = await runCli(cmd, args, e, 120_000);
        assert.notEqual(r.code, 0, `${name} passed against a target that answers 400 to everything:\n${r.output}`);
        const raw = withoutColours(r.output)
          .split('\n')
          .filter((l) => RAW.test(l));
        assert.deepEqual(raw.slice(0, 3), [], `${name}: raw control characters`);
        assert.doesNotMatch(r.output, /^GO: every check passed/m, `${name}: a forged line`);
        // The text is still there for a person to read, escaped.
        assert.match(r.output, /\\e\]0;pwned|\\u001b\]0;pwned|\\x9b2J/, `${name}: the target's words are not shown at all:\n${r.output}`);
      }),
    ),
  );
});
