// Every setting of every program, tried with bad values: each must end in exit 2 with a
// message that names the setting, never quotes a secret, and comes before any traffic.
//
// The cases are derived from the zod schemas (the kind each setting's builder records, see
// core/settings.ts), so a setting any branch adds is covered once it is in a program's schema. Each
// program's own validation runs in-process (the function its CLI runs first, on the same schemas);
// a representative few per program are also run as the real CLI against a counting server on
// loopback, which must see no request at all; the target is of the latest generation there, with the
// inbox on that counting server and the bundled target's mail going to a counting SMTP port, so no
// program may read mail, send mail or start a Mailpit of its own before refusing.
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { z } from 'zod';
import { describeSetting, SettingsError, type SettingMeta } from '../../core/settings.ts';
import { parseTestSettings, testSettings } from '../../fixtures/settings.ts';
import { capacitySettingsShape, validateCapacityRun } from '../../load/capacity/settings.ts';
import { K6_ENV_REFUSED } from '../../load/runner/k6-env.ts';
import { loadSettingsShape, validateLoadRun } from '../../load/runner/settings.ts';
import { monitorSettings, validateMonitorSettings } from '../../monitors/settings.ts';
import { exploreSettings, validateExploreSettings } from '../../explore/settings.ts';
import { faultProblems, parseTargetSettings, targetSettings } from '../../reference/settings.ts';
import { conformanceSettings, validateConformance } from '../../proof/conformance/settings.ts';
import { realServerSettings, validateRealServer } from '../../proof/real-server/settings.ts';
import { PARTS } from '../../core/parts.ts';
import { releaseSettings, validateRelease } from '../../release/settings.ts';
import { queryAllowed } from '../../core/url.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

/** In bad values that carry a secret, this is the secret: it must never be printed. */
const SECRET = 'Sup3rSecretXyz';
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|KEY|WEBHOOK/;

type Env = Record<string, string>;
interface Program {
  name: string;
  shape: z.ZodRawShape;
  /** What the CLI runs before anything else; throws SettingsError. */
  validate(env: Env): void;
  /** The CLI, for the spawned subset. */
  command: [string, string[]];
}

// When TARGET_URL is unset, the monitor starts the bundled target, which reads its own settings
// first (reference/bundled.ts): part of what `npm run monitor` refuses before any traffic.
const withBundledTarget = (env: Env) => {
  if (!env.TARGET_URL) parseTargetSettings(env);
};

const PROGRAMS: Program[] = [
  {
    name: 'npm run target',
    shape: targetSettings,
    validate: (env) => parseTargetSettings(env),
    command: [process.execPath, ['--import', 'tsx', 'reference/main.ts']],
  },
  {
    name: 'npm run monitor',
    shape: { ...monitorSettings, ...targetSettings },
    validate: (env) => {
      validateMonitorSettings(env);
      withBundledTarget(env);
    },
    command: [process.execPath, ['--import', 'tsx', 'monitors/main.ts', '--once']],
  },
  {
    name: 'npm run load',
    shape: { ...loadSettingsShape, ...targetSettings },
    validate: (env) => {
      validateLoadRun(['login'], env);
      withBundledTarget(env);
    },
    command: [process.execPath, ['--import', 'tsx', 'load/runner/main.ts', 'login']],
  },
  {
    name: 'npm run capacity',
    shape: { ...capacitySettingsShape, ...targetSettings },
    validate: (env) => {
      validateCapacityRun(['login'], env);
      withBundledTarget(env);
    },
    command: [process.execPath, ['--import', 'tsx', 'load/capacity/main.ts', 'login']],
  },
  {
    name: 'npx playwright test',
    shape: testSettings,
    validate: (env) => parseTestSettings(env, faultProblems),
    command: ['npx', ['playwright', 'test', '--project=smoke', '--reporter=line']],
  },
  {
    name: 'npm run explore',
    shape: { ...exploreSettings, ...targetSettings },
    validate: (env) => {
      validateExploreSettings(env, faultProblems);
      withBundledTarget(env);
    },
    command: [process.execPath, ['--import', 'tsx', 'explore/main.ts']],
  },
  {
    name: 'npm start',
    shape: { ...releaseSettings, ...testSettings, ...loadSettingsShape, ...monitorSettings, ...exploreSettings, ...targetSettings },
    // As release/check.ts: the bundled target's checks only when it is the target.
    validate: (env) => validateRelease(env, env.TARGET_URL ? undefined : { parseTargetSettings, faultProblems }),
    command: [process.execPath, ['--import', 'tsx', 'release/check.ts']],
  },
  // The real server's programs: npm test's last step and the reference/real comparison.
  {
    name: 'npm run test:real-server',
    shape: realServerSettings,
    validate: (env) => validateRealServer(env),
    command: [process.execPath, ['--import', 'tsx', 'proof/real-server.ts']],
  },
  {
    name: 'npm run conformance',
    shape: conformanceSettings,
    validate: (env) => validateConformance(env),
    command: [process.execPath, ['--import', 'tsx', 'proof/conformance.ts']],
  },
];

interface BadValue {
  value: string;
  why: string;
}

let underAFile = '';
let aLink = '';
let notSqlite = '';
let cutShortDb = '';
let aDanglingLink = '';
let keyFile = '';
let badPemFile = '';
const countingUrl = { base: 'http://127.0.0.1:9', smtpPort: 9 };

/** Bad values of one setting beyond those of its kind: MAIL_INBOX_URL also takes the real server's
 *  RabbitMQ outbox (amqp(s)://user:password@host:port/vhost?queue=name), whose own rules refuse any
 *  other query, a queue name that is not one and a virtual host that is not valid percent-encoding,
 *  with the password never printed; the query is the outbox's only (Mailpit's URL takes none). The
 *  host is the counting SMTP port: an AMQP connection made before the refusal would be counted. */
function settingBadValues(name: string): BadValue[] {
  // A state file that is not intact: refused before any traffic, left as it is.
  if (name === 'MONITOR_DB')
    return [
      { value: notSqlite, why: 'a file that is not SQLite' },
      { value: cutShortDb, why: 'a SQLite file cut short' },
    ];
  // A CA file must hold a certificate: an empty file, a key, a block that is not one.
  if (name === 'TARGET_CA_FILE')
    return [
      { value: underAFile, why: 'an empty file' },
      { value: keyFile, why: 'a private key instead of a certificate' },
      { value: badPemFile, why: 'a certificate block that is not one' },
    ];
  if (name !== 'MAIL_INBOX_URL') return [];
  const amqp = `amqp://qa:${SECRET}@127.0.0.1:${countingUrl.smtpPort}`;
  return [
    { value: `${amqp}/?heartbeat=5`, why: 'an outbox query other than queue, with a password' },
    { value: `${amqp}/?queue=${SECRET}&x=${SECRET}`, why: 'two outbox query parameters, with a password' },
    { value: `${amqp}/?queue=no%20such%20name!`, why: 'a queue name that is not one, with a password' },
    { value: `${amqp}/%ZZ`, why: 'a virtual host that is not percent-encoding, with a password' },
    { value: `${amqp.replace('amqp:', 'amqps:')}/#${SECRET}`, why: 'amqps with a password and a fragment' },
    { value: `${amqp}`.replace(`:${countingUrl.smtpPort}`, ':99999'), why: 'amqp with a password and a port above 65535' },
    { value: `${countingUrl.base.replace('://', `://qa:${SECRET}@`)}/?queue=mail`, why: "a query on Mailpit's URL, with a password" },
  ];
}

/** The bad values for a setting of this kind. */
function badValues(meta: SettingMeta | undefined): BadValue[] {
  const generic: BadValue[] = [
    { value: 'x'.repeat(5000), why: 'huge' },
    { value: `a\u0007b${SECRET}`, why: 'a control character' },
  ];
  if (!meta) return generic;
  switch (meta.kind) {
    case 'url': {
      // In the setting's own scheme (smtp for TARGET_SMTP_URL), so each rule is what refuses it.
      const scheme = meta.rules.schemes?.[0] ?? 'http';
      const b = countingUrl.base.replace(/^http/, scheme);
      const v: BadValue[] = [
        { value: 'not a url', why: 'garbage' },
        { value: '42', why: 'wrong type' },
        { value: 'ftp://127.0.0.1/', why: 'another scheme' },
        { value: 'javascript:alert(1)', why: 'another scheme' },
        { value: 'file:///etc/passwd', why: 'another scheme' },
        { value: `${b}/#${SECRET}`, why: 'a fragment' },
        { value: `${scheme}://[::1`, why: 'an unclosed IPv6 host' },
        { value: `${scheme}://127.0.0.1:99999`, why: 'a port above 65535' },
        { value: `${b}/${'a'.repeat(3000)}`, why: 'too long' },
      ];
      if (scheme !== 'http') v.push({ value: `${countingUrl.base}/`, why: 'http where the setting takes another scheme' });
      if (meta.rules.credentials)
        // Credentials are allowed here, so they must not be printed when something else is wrong.
        v.push({ value: `${b.replace('://', `://user:${SECRET}@`)}/#x`, why: 'credentials and a fragment' });
      else {
        v.push({ value: b.replace('://', `://user:${SECRET}@`), why: 'credentials' });
        v.push({ value: `http://127.0.0.1:x${SECRET}@example.com`, why: 'credentials (the loopback bypass)' });
      }
      if (!queryAllowed(meta.rules, scheme)) v.push({ value: `${b}/?token=${SECRET}`, why: 'a query' });
      if (meta.rules.apiBase) v.push({ value: `${b}/v2`, why: 'the /v2 suffix' });
      return [...generic, ...v];
    }
    case 'int':
    case 'number':
      return [
        ...generic,
        { value: 'abc', why: 'garbage' },
        { value: 'true', why: 'wrong type' },
        { value: String(meta.min - 1), why: 'below the range' },
        { value: String(meta.max + 1), why: 'above the range' },
        { value: '-99999999999999999999', why: 'negative and huge' },
        { value: '1e400', why: 'huge' },
        { value: '0x10', why: 'hex' },
        ...(meta.kind === 'int' ? [{ value: '1.5', why: 'a fraction' }] : []),
      ];
    case 'bool':
      return [...generic, { value: 'maybe', why: 'garbage' }, { value: '2', why: 'wrong type' }, { value: '-1', why: 'negative' }];
    case 'enum':
      return [...generic, { value: 'garbage', why: 'garbage' }, { value: '-1', why: 'wrong type' }];
    case 'list':
      return [
        ...generic,
        { value: 'garbage', why: 'garbage' },
        { value: ',', why: 'an empty list' },
        { value: `${meta.values[0]},nope`, why: 'one bad item' },
      ];
    case 'checked':
      return [...generic, { value: 'garbage!!', why: 'garbage' }, { value: '-1', why: 'negative' }];
    case 'dir':
      return [...generic, { value: join(underAFile, 'sub', 'x'), why: 'a path through a file' }];
    case 'file':
      // A file the harness writes is never written through a link, whatever it points at.
      return [
        ...generic,
        { value: join(underAFile, 'sub', 'x'), why: 'a path through a file' },
        { value: aLink, why: 'a symbolic link' },
        { value: aDanglingLink, why: 'a symbolic link to nothing yet' },
      ];
    case 'input':
      return [...generic, { value: '/nonexistent/hx-no-such-file', why: 'missing' }];
    case 'text':
      return generic;
  }
}

/** Every setting of the program with all others blank (blank = unset: the defaults hold). */
const blankEnv = (p: Program): Env => Object.fromEntries(Object.keys(p.shape).map((k) => [k, '']));

interface Case {
  program: Program;
  name: string;
  bad: BadValue;
  secret: boolean;
}

function cases(): Case[] {
  return PROGRAMS.flatMap((program) =>
    Object.entries(program.shape).flatMap(([name, schema]) => {
      const meta = describeSetting(schema as z.ZodType);
      const secret = Boolean(meta?.secret) || SECRET_NAME.test(name);
      return [...badValues(meta), ...settingBadValues(name)].map((bad) => ({ program, name, bad, secret }));
    }),
  );
}

/** What must hold of the message whatever the program: it names the setting, it does not print a secret. */
function judgeMessage(c: Case, text: string): void {
  assert.match(text, new RegExp(`(^|\\s|- )${c.name}[ :]`), `${c.program.name}: ${c.name} (${c.bad.why}) is not named: ${text}`);
  assert.ok(!text.includes(SECRET), `${c.program.name}: ${c.name} (${c.bad.why}): a secret is printed: ${text}`);
  if (c.secret && c.bad.value.length >= 6)
    assert.ok(!text.includes(c.bad.value), `${c.program.name}: ${c.name}: its value is printed: ${text}`);
  assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(text), `a stack trace: ${text}`);
}

let tried = 0;
let server: ReturnType<typeof createServer>;
let requests = 0;
/** Connections to the counting SMTP port: a welcome mail sent before the refusal would be one. */
let smtp: ReturnType<typeof createTcpServer>;
let mailConnections = 0;

before(async () => {
  const dir = tempDir('hx-bad-settings-');
  underAFile = join(dir, 'a-file');
  writeFileSync(underAFile, '');
  aLink = join(dir, 'a-link');
  symlinkSync(underAFile, aLink);
  aDanglingLink = join(dir, 'a-dangling-link');
  symlinkSync(join(dir, 'nothing-here'), aDanglingLink);
  notSqlite = join(dir, 'not-sqlite.db');
  writeFileSync(notSqlite, '{"not": "a database"}\n');
  cutShortDb = join(dir, 'cut-short.db');
  const db = new Database(cutShortDb);
  db.exec(`CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('${'x'.repeat(20_000)}')`);
  db.close();
  writeFileSync(cutShortDb, readFileSync(cutShortDb).subarray(0, 4096 * 2));
  keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`);
  badPemFile = join(dir, 'bad.pem');
  writeFileSync(badPemFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(503).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  countingUrl.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  smtp = createTcpServer((socket) => {
    mailConnections++;
    socket.destroy();
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  countingUrl.smtpPort = (smtp.address() as AddressInfo).port;
});
after(() => {
  server.close();
  smtp.close();
  process.stdout.write(
    `# bad settings tried: ${tried} (in-process and CLI), requests to the counting server: ${requests}, connections to the ` +
      `counting SMTP port: ${mailConnections}\n`,
  );
});

describe('every setting of every program, with bad values', () => {
  it('is refused in-process by each program’s own validation, naming the setting and printing no secret', () => {
    const all = cases();
    const failures: string[] = [];
    for (const c of all) {
      const env = { ...blankEnv(c.program), [c.name]: c.bad.value };
      try {
        c.program.validate(env);
        failures.push(`${c.program.name}: ${c.name}=${c.bad.why} was accepted`);
      } catch (err) {
        if (!(err instanceof SettingsError)) {
          failures.push(`${c.program.name}: ${c.name}=${c.bad.why} threw ${(err as Error).name}: ${(err as Error).message}`);
          continue;
        }
        try {
          judgeMessage(c, err.message);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    }
    tried += all.length;
    assert.deepEqual(failures, [], `${failures.length} of ${all.length} cases`);
    // Every program's every setting was tried (derived from its schema, not a hand list).
    assert.ok(all.length > 500, `only ${all.length} cases`);
  });

  // A representative few per program, for real: exit 2, the message, and no request to the counting
  // server (TARGET_URL points at it whenever it is not the bad setting itself).
  const SPAWNED: Array<{ program: string; name: string; value: () => string; args?: string[] }> = [
    { program: 'npm run target', name: 'TARGET_PORT', value: () => '-1' },
    { program: 'npm run target', name: 'TARGET_DB', value: () => join(underAFile, 'sub', 'target.db') },
    { program: 'npm run monitor', name: 'MONITOR_DB', value: () => aLink },
    { program: 'npm start', name: 'MONITOR_DB', value: () => cutShortDb },
    { program: 'npm run monitor', name: 'MONITOR_STATUS_PAGE', value: () => aDanglingLink },
    { program: 'npm run monitor', name: 'TARGET_URL', value: () => `http://127.0.0.1:x${SECRET}@example.com` },
    { program: 'npm run monitor', name: 'MONITOR_ALERT_WEBHOOK_URL', value: () => `${countingUrl.base}/hooks/${SECRET}#x` },
    { program: 'npm run monitor', name: 'TARGET_FAULTS', value: () => 'drop' },
    { program: 'npm run monitor', name: 'MONITOR_ALERT_PAGERDUTY_URL', value: () => `${countingUrl.base}/v2/enqueue#${SECRET}` },
    { program: 'npm run monitor', name: 'MONITOR_MAINTENANCE', value: () => '0 2 * * 0 forever' },
    { program: 'npm run load', name: 'TARGET_URL', value: () => countingUrl.base.replace('://', `://u:${SECRET}@`) },
    { program: 'npm run load', name: 'REPORTS_DIR', value: () => join(underAFile, 'reports') },
    { program: 'npm run load', name: 'TARGET_FAULTS', value: () => 'drop' },
    // The capacity search: its budget, and the gate it shares with npm run load.
    { program: 'npm run capacity', name: 'CAPACITY_BUDGET', value: () => '5s' },
    { program: 'npm run capacity', name: 'TARGET_URL', value: () => countingUrl.base.replace('://', `://u:${SECRET}@`) },
    { program: 'npx playwright test', name: 'TARGET_URL', value: () => `${countingUrl.base}/?token=${SECRET}` },
    { program: 'npx playwright test', name: 'HTTP_MAX_BODY_BYTES', value: () => '99999999999999999999' },
    { program: 'npm start', name: 'TARGET_FAULTS', value: () => 'drop' },
    { program: 'npm start', name: 'MONITOR_PUSHGATEWAY_URL', value: () => `${countingUrl.base}/#${SECRET}` },
    // The latest generation's settings: an inbox URL with a password and a fragment, a
    // relay URL with a password and a fragment, a generation that does not exist, and no inbox at all.
    { program: 'npm run monitor', name: 'MAIL_INBOX_URL', value: () => `${countingUrl.base.replace('://', `://qa:${SECRET}@`)}/#x` },
    { program: 'npm run target', name: 'TARGET_SMTP_URL', value: () => `smtp://relay:${SECRET}@127.0.0.1:${countingUrl.smtpPort}/#x` },
    { program: 'npm run load', name: 'TARGET_GENERATION', value: () => 'newest' },
    { program: 'npx playwright test', name: 'MAIL_WAIT_S', value: () => '0' },
    {
      program: 'npx playwright test',
      name: 'MAIL_INBOX_URL',
      value: () => '',
      args: ['playwright', 'test', '--project=flow', '--reporter=line'],
    },
    { program: 'npm start', name: 'MAIL_INBOX_URL', value: () => '' },
    { program: 'npm run load', name: 'MAIL_INBOX_URL', value: () => '' },
    // The explorer: its budget, its seed, and a latest target with no inbox to verify by.
    { program: 'npm run explore', name: 'EXPLORE_RUNS', value: () => '0' },
    { program: 'npm run explore', name: 'EXPLORE_SEED', value: () => '1e3' },
    { program: 'npm run explore', name: 'MAIL_INBOX_URL', value: () => '' },
    { program: 'npm run explore', name: 'TARGET_FAULTS', value: () => 'drop' },
    // The real server's: an outbox URL with a password and a query it does not take (the
    // broker would be the counting SMTP port), a kit that is a file, a known-issues list that is not there.
    {
      program: 'npm run monitor',
      name: 'MAIL_INBOX_URL',
      value: () => `amqp://qa:${SECRET}@127.0.0.1:${countingUrl.smtpPort}/?heartbeat=5`,
    },
    { program: 'npm run conformance', name: 'MAIL_INBOX_URL', value: () => `amqp://qa:${SECRET}@127.0.0.1:${countingUrl.smtpPort}/#x` },
    { program: 'npm run test:real-server', name: 'REAL_SERVER_KIT', value: () => underAFile },
    { program: 'npm run test:real-server', name: 'KNOWN_ISSUES_FILE', value: () => join(underAFile, 'known-issues.json') },
    { program: 'npx playwright test', name: 'KNOWN_ISSUES_FILE', value: () => '/nonexistent/known-issues.json' },
    // TLS: a CA file that holds no certificate, and the bundled target's TLS with TARGET_URL.
    { program: 'npm run monitor', name: 'TARGET_CA_FILE', value: () => keyFile },
    { program: 'npm run load', name: 'TARGET_CA_FILE', value: () => underAFile },
    { program: 'npx playwright test', name: 'TARGET_CA_FILE', value: () => badPemFile },
    { program: 'npm run monitor', name: 'TARGET_TLS', value: () => 'true' },
  ];

  it('is refused by the CLIs themselves with exit 2, before any request reaches the target', { concurrency: 3 }, async () => {
    const runs = SPAWNED.map(async (s) => {
      const program = PROGRAMS.find((p) => p.name === s.program)!;
      const dir = tempDir('hx-bad-settings-run-');
      const env: Env = {
        ...blankEnv(program),
        TARGET_URL: countingUrl.base,
        REPORTS_DIR: join(dir, 'reports'),
        MONITOR_DB: join(dir, 'monitor.db'),
        RELEASE_PARTS: 'monitor',
        // The latest generation: accounts would be verified by mail, read from the counting server.
        TARGET_GENERATION: 'latest',
        MAIL_INBOX_URL: countingUrl.base,
        TARGET_SMTP_URL: `smtp://127.0.0.1:${countingUrl.smtpPort}`,
        [s.name]: s.value(),
      };
      const r = await runCli(program.command[0], s.args ?? program.command[1], env, 90_000);
      assert.equal(r.code, 2, `${s.program} with a bad ${s.name}: exit ${r.code}\n${r.output.slice(-1500)}`);
      judgeMessage(
        { program, name: s.name, bad: { value: s.value(), why: 'spawned' }, secret: SECRET_NAME.test(s.name) || /WEBHOOK/.test(s.name) },
        r.output,
      );
    });
    const results = await Promise.allSettled(runs);
    tried += SPAWNED.length;
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failed, []);
    assert.equal(requests, 0, 'a program sent traffic (or read an inbox) before refusing its settings');
    assert.equal(mailConnections, 0, 'a program sent mail before refusing its settings');
  });

  // k6 reads its options from the environment too, over the scripts' own (K6_MAX_REDIRECTS
  // undid maxRedirects: 0, K6_HTTP_DEBUG printed tokens): every program that starts k6 refuses them.
  it('refuses the K6_* variables that would undo the load runner, in every program that starts k6', () => {
    const failures: string[] = [];
    for (const program of PROGRAMS.filter((p) => ['npm run load', 'npm start'].includes(p.name)))
      for (const name of K6_ENV_REFUSED.keys()) {
        const c: Case = { program, name, bad: { value: `on${SECRET}`, why: 'set' }, secret: false };
        try {
          program.validate({ ...blankEnv(program), [name]: c.bad.value });
          failures.push(`${program.name}: ${name} was accepted`);
        } catch (err) {
          if (!(err instanceof SettingsError)) failures.push(`${program.name}: ${name} threw ${(err as Error).message}`);
          else
            try {
              judgeMessage(c, err.message);
            } catch (e) {
              failures.push((e as Error).message);
            }
        }
        tried++;
      }
    assert.deepEqual(failures, []);
  });

  it('covers every program the issue names, and every part npm start runs', () => {
    assert.deepEqual(
      PROGRAMS.map((p) => p.name),
      [
        'npm run target',
        'npm run monitor',
        'npm run load',
        'npm run capacity',
        'npx playwright test',
        'npm run explore',
        'npm start',
        'npm run test:real-server',
        'npm run conformance',
      ],
    );
    assert.deepEqual([...PARTS], ['tests', 'load', 'monitor', 'explore']);
  });

  it('knows what every setting is: each is built with a setting builder (core/settings.ts), so its bad values are derived', () => {
    const untagged = PROGRAMS.flatMap((p) =>
      Object.entries(p.shape)
        .filter(([, schema]) => describeSetting(schema as z.ZodType) === undefined)
        .map(([name]) => `${p.name}: ${name}`),
    );
    assert.deepEqual(untagged, [], 'settings built without a builder get only the generic bad values');
  });
});
