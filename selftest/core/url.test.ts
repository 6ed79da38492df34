// The URL parser k6 uses (core/url.ts's own, k6 has no URL) against Node's WHATWG URL on many
// inputs, and the policy every URL setting goes through: the host is the one the URL names
// (`http://127.0.0.1:x@prod` is prod), credentials, queries and fragments are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackUrl, urlHostname } from '../../core/loopback.ts';
import { checkUrl, parseWhatwgHttp, TARGET_URL_RULES } from '../../core/url.ts';

// A seeded generator over the pieces where parsers disagree: slashes and backslashes, user:password
// with extra @ and :, IPv4 in hex/octal/short forms, IPv6 with compression and embedded IPv4,
// percent-encoded hosts, ports with leading zeros or out of range, dot segments, stray tabs/newlines.
const PIECES = {
  scheme: ['http:', 'HTTP:', 'https:', 'hTtPs:', 'ftp:', 'javascript:', 'file:', '', 'http+x:', 'ws:'],
  slashes: ['', '/', '//', '///', '\\', '/\\', '\\\\', '//\\/'],
  userinfo: ['', '', '', 'u@', 'u:p@', ':@', '@', 'a:b@c@', '127.0.0.1:x@', 'u%40:p@', 'a b@', 'ü:ö@', 'u:p:q@', 'a@b@', ':p@', 'u:@'],
  host: [
    'example.com',
    'EXAMPLE.com',
    '127.0.0.1',
    '127.1',
    '0x7f.1',
    '2130706433',
    '0177.0.0.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[0:0:0:0:0:0:0:1]',
    '[1:0:0:2:0:0:0:3]',
    '[::]',
    '[1::]',
    '[::1:2:3:4:5:6:7]',
    '[1:2:3:4:5:6:7:8]',
    '[1:2:3:4:5:6:7:8:9]',
    '[::1.2.3.4]',
    '[::1.2.3]',
    '[::01.2.3.4]',
    '[FFFF::A]',
    'localhost',
    'LOCALHOST.',
    '%6c%6fcalhost',
    '256.0.0.1',
    '1.2.3.4.5',
    '0x',
    '0x.0x',
    'a..b',
    '.',
    '..',
    '',
    'ex%00ample',
    'a_b',
    '[::1',
    '::1]',
    'xn--nxasmq6b',
    'bücher.de',
    '١٢٣',
    '127.0.0.1.',
    '4294967295',
    '4294967296',
    '999999999999999999999',
    '09.1',
    '0.0.0.08',
    '1.2.3.0x100',
    'a.1',
    '1.a',
    'a%2eb',
    '%41',
    'a b',
    'a<b',
    'a^b',
    'a|b',
    'a*b',
    'a~b',
    'ex\u00adample',
    'a%zzb',
    '0',
    '0x7f000001',
    'foo.0x',
    'foo.09',
    '1e2.0.0.1',
  ],
  port: ['', '', '', ':', ':80', ':443', ':0', ':08080', ':65535', ':65536', ':x', ':-1', ':99999999999', ':1:2', ': 80', ':8080'],
  path: [
    '',
    '',
    '/',
    '/a/b',
    '/a/../b',
    '/./a',
    '/%2e%2E/x',
    '/a b',
    '/a\\b',
    '/ä',
    '/v2',
    '/v2/',
    '/api/',
    '/a%zz',
    '/{x}^`',
    '/..',
    '/a/.',
    '/a/%2e',
    '/a/..',
    "/a'b",
    '/a"b',
    '/a<b>',
    '/a|b',
    '/a;b=c',
    '/a@b',
    '/a:b',
    '\\a',
    '/\ud800',
  ],
  query: ['', '', '', '?', '?a=1', "?a'b", '?x y', '?ü', '?a#b'],
  fragment: ['', '', '', '#', '#f', '#a b', '#`x`', '#ü'],
};

function generated(n: number): string[] {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = (a: string[]) => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = Object.values(PIECES).map(pick).join('');
    const r = rnd();
    if (r < 0.05) s = ` ${s} `;
    else if (r < 0.1) {
      const at = Math.floor(rnd() * (s.length + 1));
      s = s.slice(0, at) + pick(['\t', '\n', '\r']) + s.slice(at);
    } else if (r < 0.12) s = `\u0001${s}\u001f`;
    out.push(s);
  }
  return out;
}

const FIELDS = ['href', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

test("k6's URL parser agrees with Node's WHATWG URL on 30,000 inputs (it refuses only international host names Node takes)", () => {
  const inputs = generated(30_000);
  const disagreements: string[] = [];
  let refusedInternational = 0;
  for (const input of inputs) {
    let node: URL | undefined;
    try {
      node = new URL(input);
    } catch {}
    const nodeHttp = node && (node.protocol === 'http:' || node.protocol === 'https:') ? node : undefined;
    const own = parseWhatwgHttp(input);
    if ('error' in own) {
      if (!nodeHttp) continue;
      if (/internationalised/.test(own.error)) refusedInternational++;
      else disagreements.push(`${JSON.stringify(input)}: refused (${own.error}), Node reads ${nodeHttp.href}`);
      continue;
    }
    if (!nodeHttp) {
      disagreements.push(`${JSON.stringify(input)}: read as ${own.href}, Node refuses it`);
      continue;
    }
    const differ = FIELDS.filter((f) => own[f] !== nodeHttp[f]);
    if (differ.length) disagreements.push(`${JSON.stringify(input)}: ${differ.map((f) => `${f} ${own[f]} vs ${nodeHttp[f]}`).join(', ')}`);
  }
  assert.deepEqual(disagreements.slice(0, 20), [], `${disagreements.length} disagreements`);
  assert.ok(refusedInternational < inputs.length / 10);
});

test('the host is the one the URL names, whatever precedes an @ (a user:password@ once bypassed the loopback rule)', () => {
  for (const url of [
    'http://127.0.0.1:x@api.example.com:8080',
    'http://localhost@api.example.com',
    'http://127.0.0.1:8080@api.example.com/',
    'http://127.0.0.1%3A1@api.example.com',
    'http:\\\\127.0.0.1:x@api.example.com',
    'http:127.0.0.1:x@api.example.com',
  ]) {
    assert.equal(urlHostname(url), 'api.example.com', url);
    assert.equal(isLoopbackUrl(url), false, url);
    const own = parseWhatwgHttp(url);
    assert.ok(!('error' in own) && own.hostname === 'api.example.com', url);
  }
  // Other spellings of loopback are loopback; names under .localhost are not (DNS may answer them).
  for (const url of ['http://127.1:9', 'http://0x7f.0.0.1', 'http://2130706433/', 'http://[0:0::1]:9', 'http://LOCALHOST:1'])
    assert.equal(isLoopbackUrl(url), true, url);
  for (const url of ['http://api.localhost:9', 'http://127.0.0.1.example.com', 'http://[::ffff:7f00:1]', 'http://0.0.0.0:9'])
    assert.equal(isLoopbackUrl(url), false, url);
});

test('TARGET_URL: credentials, a query, a fragment and other schemes are refused, without quoting the value', () => {
  const problem = (raw: string) => {
    const r = checkUrl(raw, TARGET_URL_RULES);
    assert.ok('problem' in r, `${raw} was accepted`);
    assert.ok(!r.problem.includes('hunter2'), r.problem);
    return r.problem;
  };
  assert.match(problem('http://127.0.0.1:hunter2@api.example.com'), /must not hold a user name or password/);
  assert.match(problem('https://user:hunter2@api.example.com'), /must not hold a user name or password/);
  assert.match(problem('https://api.example.com/?x=hunter2'), /must not have a query/);
  assert.match(problem('https://api.example.com?'), /must not have a query/);
  assert.match(problem('https://api.example.com/#hunter2'), /must not have a fragment/);
  assert.match(problem('ftp://api.example.com'), /expected an http\(s\) URL/);
  assert.match(problem('javascript:alert(1)'), /expected an http\(s\) URL/);
  assert.match(problem('file:///etc/passwd'), /expected an http\(s\) URL/);
  assert.match(problem('http://[::1'), /expected an http\(s\) URL/);
  assert.match(problem(`https://api.example.com/${'a'.repeat(3000)}`), /at most 2048 characters/);
  assert.match(problem('https://api.example.com/v2/'), /without \/v2/);
});

test('a URL setting is given on in canonical form, so every HTTP client downstream reads the same host', () => {
  const value = (raw: string, rules = TARGET_URL_RULES) => {
    const r = checkUrl(raw, rules);
    assert.ok('value' in r, `${raw} was refused`);
    return r.value;
  };
  assert.equal(value('HTTP://API.Example.COM:443/'), 'http://api.example.com:443');
  assert.equal(value('https://API.example.com:443/base//'), 'https://api.example.com/base');
  assert.equal(value(' http://127.1:8080 '), 'http://127.0.0.1:8080');
  assert.equal(value('http:\\\\[0:0::1]:9\\api'), 'http://[::1]:9/api');
  // A webhook keeps its query (a token may live there); a Pushgateway may take Basic auth.
  assert.equal(value('https://hooks.example.com/T/B?token=x', { query: true }), 'https://hooks.example.com/T/B?token=x');
  assert.equal(value('http://u:p@push.example:9091/', { credentials: true }), 'http://u:p@push.example:9091');
});

test('one parser for every URL setting: a setting may take other schemes (a mail outbox on amqp) where its rules say so', () => {
  const amqp = checkUrl('amqp://guest:guest@127.0.0.1:5673/', { schemes: ['http', 'https', 'amqp'], credentials: true });
  assert.ok('value' in amqp && amqp.value === 'amqp://guest:guest@127.0.0.1:5673' && amqp.url.hostname === '127.0.0.1');
  const refused = checkUrl('amqp://guest:guest@127.0.0.1:5673/');
  assert.ok('problem' in refused && /expected an http\(s\) URL/.test(refused.problem));
  const noHost = checkUrl('amqp:opaque', { schemes: ['amqp'] });
  assert.ok('problem' in noHost, 'a URL without a host is refused');
});
