// The monitor's own account over its life: registered (and, on a latest target, verified by its
// mail) on first use, kept, and healed once per pass when it is refused later — an in-memory target
// restarted here, as a staging reset would do. A given account is never re-made: its message says
// what to do. No password or token ever reaches a message.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MailError, type Inbox, type Mail } from '../../core/mail/index.ts';
import { startMailpit, type RunningMailpit } from '../../core/mail/mailpit-process.ts';
import { TemporalClient } from '../../core/client.ts';
import { runPass } from '../../monitors/pass.ts';
import { MonitorState } from '../../monitors/state.ts';
import { login } from '../../monitors/checks/login.ts';
import type { RunningTarget, TargetOptions } from '../../reference/server.ts';
import { memoryMailer, startTarget } from '../support/target.ts';
import { assertNoSecrets, makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

const KEY = 'account-lifecycle-key';
const loginOf = (p: { checks: { name: string; status: string; message: string }[] }) => p.checks.find((c) => c.name === 'login')!;

/** A target that can be restarted on the same port with nothing in it, as an in-memory deployment. */
async function restartable(opts: TargetOptions) {
  let target = await startTarget({ ...opts, jwtKey: KEY });
  const port = target.port;
  return {
    get url() {
      return target.url;
    },
    get target() {
      return target;
    },
    async restart() {
      await target.close();
      target = await startTarget({ ...opts, jwtKey: KEY, port });
    },
    close: () => target.close(),
  };
}

describe('the dedicated account', () => {
  for (const generation of ['documented', 'latest'] as const) {
    describe(`on a ${generation} target`, () => {
      let mailpit: RunningMailpit | undefined;
      before(async () => {
        if (generation === 'latest') mailpit = await startMailpit();
      });
      after(() => mailpit?.close());

      test('is registered once, kept, and made again (and said so) once the restarted target has forgotten it', async () => {
        const t = await restartable({ generation, smtpUrl: mailpit?.smtpUrl });
        const dir = tempDir();
        // One retry, as in production: the restart drops the monitor's kept-alive connection.
        const m = makeMonitor(
          t.url,
          testSettings(dir, { TARGET_GENERATION: generation, MONITOR_RETRIES: '1', MONITOR_RETRY_BACKOFF_MS: '1' }),
          'staging',
          mailpit?.inboxUrl,
        );
        const secrets: string[] = [];
        try {
          const first = await m.monitor.pass();
          secrets.push(...first.secrets);
          assert.equal(first.pass.status, 'pass', JSON.stringify(first.pass.checks));
          assert.match(
            loginOf(first.pass).message,
            generation === 'latest'
              ? /registered it as the dedicated monitoring account and opened the link mailed to it/
              : /registered it as the dedicated monitoring account\)/,
          );
          const original = m.monitor.state.account('staging')!.username;
          assert.equal(m.monitor.state.keptTokens('staging').length, 1);

          const second = await m.monitor.pass();
          assert.equal(second.pass.status, 'pass');
          assert.equal(loginOf(second.pass).message.includes('registered'), false, 'the kept account is used as it is');

          await t.restart();
          const healed = await m.monitor.pass();
          secrets.push(...healed.secrets);
          assert.equal(healed.pass.status, 'pass', JSON.stringify(healed.pass.checks));
          const made = m.monitor.state.account('staging')!.username;
          assert.notEqual(made, original);
          const msg = loginOf(healed.pass).message;
          assert.match(msg, new RegExp(`logged in as ${made} \\(the account it had, ${original}, was refused: login answered HTTP 401`));
          assert.match(msg, generation === 'latest' ? /registered and verified this new one/ : /registered this new one/);
          assert.match(msg, /reset or restart of the target/);
          // The old account's kept token is forgotten, not probed (it would only say the account is gone).
          const across = healed.pass.checks.find((c) => c.name === 'token-across-runs')!;
          assert.equal(across.status, 'pass');
          assert.match(across.message, /no token from an earlier pass/);
          assert.equal(m.monitor.state.keptTokens('staging').length, 1, "only the new account's token is kept");

          const after = await m.monitor.pass();
          assert.equal(after.pass.status, 'pass');
          assert.match(loginOf(after.pass).message, new RegExp(`^logged in as ${made} in `));
          assertNoSecrets(
            { 'the login messages': [first, second, healed, after].map((r) => loginOf(r.pass).message).join('\n'), logs: m.logs() },
            secrets,
          );
        } finally {
          await m.monitor.stop();
          await t.close();
        }
      });
    });
  }

  test('a given account (MONITOR_USERNAME) that the target forgot is not re-made: the message says what to do', async () => {
    const t = await restartable({});
    const api = new TemporalClient({ baseUrl: t.url });
    const given = { username: 'hx-given-monitor', password: 'given-Password-123', email_address: 'hx-given-monitor@example.test' };
    assert.equal((await api.register(given)).status, 200);
    const m = makeMonitor(
      t.url,
      testSettings(tempDir(), {
        MONITOR_USERNAME: given.username,
        MONITOR_PASSWORD: given.password,
        MONITOR_RETRIES: '1',
        MONITOR_RETRY_BACKOFF_MS: '1',
      }),
    );
    try {
      assert.equal((await m.monitor.pass()).pass.status, 'pass');
      await t.restart();
      const r = await m.monitor.pass();
      const c = loginOf(r.pass);
      assert.equal(c.status, 'fail');
      assert.match(c.message, /the monitoring account hx-given-monitor was refused: login answered HTTP 401/);
      assert.match(
        c.message,
        new RegExp(
          /It was given \(MONITOR_USERNAME\), so the monitor cannot re-create it: /.source +
            /check that hx-given-monitor still exists and that MONITOR_PASSWORD is its password/.source,
        ),
      );
      assert.match(c.message, /unset MONITOR_USERNAME and MONITOR_PASSWORD to let the monitor register its own/);
      assert.equal(c.message.includes(given.password), false);
      assert.equal(m.monitor.state.account(t.url), undefined, 'no account was registered');
      assert.equal(t.target.store.userCount(), 0, 'nothing was registered on the target');
    } finally {
      await m.monitor.stop();
      await t.close();
    }
  });
});

describe('healing is bounded', () => {
  let target: RunningTarget;
  let proxy: Server;
  let url: string;
  let registrations = 0;
  before(async () => {
    target = await startTarget({ jwtKey: KEY });
    // Login itself broken (every login 401): only one new account per pass, whatever the retries.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.url === '/v2/auth/login') {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        return res.end('{"code":401,"message":"Incorrect Username / Password"}');
      }
      if (req.url === '/v2/auth/register') registrations++;
      const r = await fetch(target.url + req.url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => proxy.close(() => r()));
    await target.close();
  });

  test('login refusing everyone: one new account per pass (retries included), and the check says login itself is broken', async () => {
    const m = makeMonitor(url, testSettings(tempDir(), { MONITOR_RETRIES: '2', MONITOR_RETRY_BACKOFF_MS: '1' }));
    try {
      const first = await m.monitor.pass();
      assert.equal(registrations, 1, 'the first account, made in this pass: no other');
      const c = loginOf(first.pass);
      assert.equal(c.status, 'fail');
      // Given as documented, a new account refused at once is login broken, unless the generation was wrong: both said.
      assert.match(
        c.message,
        /it was made in this pass and refused at once: .*so either login is broken, or the target is of the latest generation/,
      );
      await m.monitor.pass();
      assert.equal(registrations, 2, 'one more in the next pass, for the refused one');
      assert.match(
        loginOf((await m.monitor.pass()).pass).message,
        new RegExp(
          /was refused: login answered HTTP 401.*so the monitor registered this new one\)/.source +
            /; it was made in this pass and refused at once: .*either login is broken/.source,
        ),
      );
      assert.equal(registrations, 3);
    } finally {
      await m.monitor.stop();
    }
  });
});

test('a verification mail that came late: the next pass opens it instead of making another account', async () => {
  const mails = memoryMailer();
  const target = await startTarget({ generation: 'latest', jwtKey: KEY, mailer: mails });
  // An inbox whose mail arrives only after the first pass has given up on it.
  let arrived = false;
  const inbox: Inbox = {
    label: 'a slow inbox',
    waitForMail: async (to): Promise<Mail> => {
      if (!arrived) throw new MailError('none', `no mail to ${to.address} reached a slow inbox within 1 s (MAIL_WAIT_S)`);
      const link = mails.linkFor(to.username);
      return { id: '1', subject: 'welcome', html: `<a href="${link}">link</a>`, text: '' };
    },
    close: async () => {},
  };
  const state = new MonitorState(':memory:');
  const api = new TemporalClient({ baseUrl: target.url });
  const pass = () =>
    runPass({
      api,
      state,
      target: 'slow',
      targetLabel: 'slow',
      config: { toleranceS: 60, expectedLifetimeS: 86400, latencyDegradedMs: 1000, latencyFailMs: 2500 },
      retries: 0,
      backoffMs: 1,
      generation: 'latest',
      inbox,
      mailWaitMs: 1000,
      checks: [login],
    });
  try {
    const first = await pass();
    assert.equal(first.pass.checks[0]!.status, 'fail');
    assert.match(first.pass.checks[0]!.message, /the monitoring account: could not verify temporal-monitor-[\w.-]+: no mail to/);
    const kept = state.account('slow')!;
    arrived = true;
    const second = await pass();
    assert.equal(second.pass.checks[0]!.status, 'pass', second.pass.checks[0]!.message);
    assert.match(second.pass.checks[0]!.message, /it was refused until its e-mail address was verified: opened the link mailed to it/);
    assert.equal(state.account('slow')!.username, kept.username, 'the same account, not another one');
    assert.equal(target.store.userCount(), 1);
  } finally {
    state.close();
    await target.close();
  }
});

test('fault verification-link-broken: the mailed link answers 400, and login fails saying so, once per pass', async () => {
  const mailpit = await startMailpit();
  const target = await startTarget({ generation: 'latest', jwtKey: KEY, smtpUrl: mailpit.smtpUrl, faults: 'verification-link-broken' });
  const m = makeMonitor(
    target.url,
    testSettings(tempDir(), { TARGET_GENERATION: 'latest', MONITOR_RETRIES: '1', MONITOR_RETRY_BACKOFF_MS: '1' }),
    target.url,
    mailpit.inboxUrl,
  );
  try {
    const r = await m.monitor.pass();
    const c = loginOf(r.pass);
    assert.equal(c.status, 'fail');
    assert.match(
      c.message,
      new RegExp(
        /the link mailed to temporal-monitor-[\w.-]+@example\.com /.source +
          /answered HTTP 400: \{"code":400,"response":"signature is invalid"\}, expected 200 'email verified'/.source,
      ),
    );
    assert.equal(target.store.userCount(), 1, 'one account made in the pass, retries included');
    assert.doesNotMatch(JSON.stringify(r.pass), /eyJ[\w-]+\.eyJ/, 'the link token is not in the result');
  } finally {
    await m.monitor.stop();
    await target.close();
    await mailpit.close();
  }
});

test('faults verify-link-second-open-500 and no-mail-for-dotted-names: the monitoring account (a dotted name, its link opened twice) shows both', async () => {
  const mailpit = await startMailpit();
  try {
    for (const [fault, words] of [
      [
        'verify-link-second-open-500',
        /the monitoring account temporal-monitor-Synthetic\.Probe-\w+ logs in, but the link mailed to temporal-monitor-Synthetic\.Probe-\w+@example\.com verified it, but opening it a second time \(a user clicking twice, a mail scanner fetching it first\) answered HTTP 500, expected 200 or a 4xx that says why/,
      ],
      ['no-mail-for-dotted-names', /could not verify temporal-monitor-Synthetic\.Probe-\w+: no mail to/],
    ] as const) {
      const target = await startTarget({ generation: 'latest', jwtKey: KEY, smtpUrl: mailpit.smtpUrl, faults: fault });
      const m = makeMonitor(
        target.url,
        // A retry, as in production: the account its first open verified must not hide the broken second one.
        testSettings(tempDir(), { TARGET_GENERATION: 'latest', MAIL_WAIT_S: '2', MONITOR_RETRIES: '1', MONITOR_RETRY_BACKOFF_MS: '1' }),
        target.url,
        mailpit.inboxUrl,
      );
      try {
        const c = loginOf((await m.monitor.pass()).pass);
        assert.equal(c.status, 'fail', `${fault}: ${c.message}`);
        assert.match(c.message, words);
      } finally {
        await m.monitor.stop();
        await target.close();
      }
    }
  } finally {
    await mailpit.close();
  }
});
