// The inbox (core/mail) against a real Mailpit fed over SMTP: the newest mail to exactly the address
// asked for, waited for while it is late, a clear MailError when none comes or when the inbox is not
// Mailpit, and its answers read no further than HTTP_MAX_BODY_BYTES; the verification link told apart
// from the other links of the welcome mail, and never quoted with its token in an error; Mailpit
// started and stopped with nothing left behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { MailError, openInbox } from '../../core/mail/index.ts';
import { MailpitInbox } from '../../core/mail/mailpit.ts';
import { startMailpit, type RunningMailpit } from '../../core/mail/mailpit-process.ts';
import { freePort } from '../../core/ports.ts';
import { TemporalClient } from '../../core/client.ts';
import { TransportError } from '../../core/http.ts';
import type { Inbox } from '../../core/mail/inbox.ts';
import { VerificationError, verificationLink, verifyByMail } from '../../core/mail/verify.ts';
import { parseSettings, SettingsError, sharedSettings } from '../../core/settings.ts';
import { smtpMailer } from '../../reference/mailer.ts';

let mailpit: RunningMailpit;
before(async () => {
  mailpit = await startMailpit();
});
after(async () => {
  await mailpit.close();
});

const send = async (to: string, subject: string, html: string): Promise<void> => {
  const t = nodemailer.createTransport({ url: mailpit.smtpUrl });
  await t.sendMail({ from: 'hx@example.test', to, subject, html });
  t.close();
};
const unique = (name: string): string => `hx-mail-${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

describe('the Mailpit inbox', () => {
  test('finds the newest mail to exactly the address asked for', async () => {
    const address = unique('exact');
    await send(`x${address}`, 'to a longer address that contains it', '<p>not this</p>');
    await send(address, 'first', '<p>older</p>');
    await send(address, 'second', '<p>newer</p>');
    const mail = await openInbox(mailpit.inboxUrl, 2000).waitForMail({ address, username: 'u' }, { timeoutMs: 5000 });
    assert.equal(mail.subject, 'second');
    assert.match(mail.html, /newer/);
  });

  test('waits for a mail that comes late', async () => {
    const address = unique('late');
    const inbox = openInbox(mailpit.inboxUrl, 2000);
    const waiting = inbox.waitForMail({ address, username: 'u' }, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 600));
    await send(address, 'late', '<p>here now</p>');
    assert.equal((await waiting).subject, 'late');
  });

  test('says, within its time limit, that no mail came', async () => {
    const address = unique('none');
    const started = Date.now();
    await assert.rejects(
      openInbox(mailpit.inboxUrl, 2000).waitForMail({ address, username: 'u' }, { timeoutMs: 700 }),
      (e: unknown) =>
        e instanceof MailError &&
        e.kind === 'none' &&
        e.message.includes(`no mail to ${address}`) &&
        e.message.includes('MAIL_WAIT_S') &&
        e.message.includes(mailpit.inboxUrl),
    );
    assert.ok(Date.now() - started < 5000, 'it gave up on time');
  });

  test('an inbox that is not there, or not Mailpit, is unreachable, in words', async () => {
    const nothing = new MailpitInbox(`http://127.0.0.1:${await freePort()}`, 1000);
    await assert.rejects(nothing.waitForMail({ address: 'a@b.c', username: 'a' }, { timeoutMs: 1000 }), (e: unknown) => {
      return e instanceof MailError && e.kind === 'unreachable' && /connection refused/.test(e.message);
    });
    const html: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not mailpit</html>'));
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
    try {
      const wrong = new MailpitInbox(`http://127.0.0.1:${(html.address() as AddressInfo).port}`, 1000);
      await assert.rejects(
        wrong.waitForMail({ address: 'a@b.c', username: 'a' }, { timeoutMs: 1000 }),
        (e: unknown) =>
          e instanceof MailError && e.kind === 'unreachable' && /not JSON: is MAIL_INBOX_URL the address of Mailpit/.test(e.message),
      );
    } finally {
      await new Promise<void>((r) => html.close(() => r()));
    }
  });

  test("a Mailpit behind a password gets the URL's user and password as Basic auth, and never shows them", async () => {
    let seen = '';
    const guarded: Server = createServer((req, res) => {
      seen = req.headers.authorization ?? '';
      if (seen !== `Basic ${Buffer.from('qa:s3cret-pass').toString('base64')}`) return res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[]}');
    });
    await new Promise<void>((r) => guarded.listen(0, '127.0.0.1', () => r()));
    try {
      const inbox = openInbox(`http://qa:s3cret-pass@127.0.0.1:${(guarded.address() as AddressInfo).port}/mail`, 1000);
      assert.doesNotMatch(inbox.label, /s3cret/);
      await assert.rejects(inbox.waitForMail({ address: 'a@b.c', username: 'a' }, { timeoutMs: 300 }), (e: unknown) => {
        assert.ok(e instanceof MailError && e.kind === 'none', String(e));
        assert.doesNotMatch((e as Error).message, /s3cret/);
        return true;
      });
      assert.ok(seen.startsWith('Basic '));
    } finally {
      await new Promise<void>((r) => guarded.close(() => r()));
    }
  });

  test('MAIL_INBOX_URL takes the schemes an inbox exists for, and names itself when it is wrong', () => {
    assert.equal(
      parseSettings({ MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL }, { MAIL_INBOX_URL: 'http://127.0.0.1:8025/' }).MAIL_INBOX_URL,
      'http://127.0.0.1:8025',
    );
    assert.throws(
      () => parseSettings({ MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL }, { MAIL_INBOX_URL: 'ftp://mail.example.com' }),
      (e: unknown) =>
        e instanceof SettingsError &&
        new RegExp(
          /MAIL_INBOX_URL: expected a URL whose scheme is http, https, amqp or amqps /.source +
            /such as http:\/\/127\.0\.0\.1:8025 \(Mailpit's HTTP API\)/.source,
        ).test(e.message),
    );
    assert.throws(() => openInbox('gopher://127.0.0.1:70/', 1000), /MAIL_INBOX_URL: no inbox reads gopher:\/\//);
    // The real server's outbox: amqp(s)://, one query parameter (queue); its password never shown.
    assert.equal(
      parseSettings({ MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL }, { MAIL_INBOX_URL: 'amqp://qa:s3cret@127.0.0.1:5673/?queue=mail' })
        .MAIL_INBOX_URL,
      'amqp://qa:s3cret@127.0.0.1:5673/?queue=mail',
    );
    assert.throws(
      () =>
        parseSettings(
          { MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL },
          { MAIL_INBOX_URL: 'amqp://qa:s3cret@127.0.0.1:5673/?heartbeat=5' },
        ),
      (e: unknown) =>
        e instanceof SettingsError &&
        /MAIL_INBOX_URL: takes one query parameter, queue .*not heartbeat/.test(e.message) &&
        !/s3cret/.test(e.message),
    );
    // Only the outbox takes a query: Mailpit's base URL has the API's paths appended to it.
    assert.throws(
      () =>
        parseSettings({ MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL }, { MAIL_INBOX_URL: 'http://qa:s3cret@127.0.0.1:8025/?queue=mail' }),
      (e: unknown) => e instanceof SettingsError && /MAIL_INBOX_URL: must not have a query/.test(e.message) && !/s3cret/.test(e.message),
    );
    assert.equal(
      openInbox('amqp://qa:s3cret@127.0.0.1:5673/', 1000).label,
      "the server's mail outbox (RabbitMQ queue email-send-queue at amqp://127.0.0.1:5673/)",
    );
  });
});

/** A local server for one test, closed afterwards. */
async function serving(handler: Parameters<typeof createServer>[1], use: (base: string) => Promise<void>): Promise<void> {
  const srv: Server = createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    await use(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

describe('the Mailpit inbox under an answer with no end', () => {
  test('a message larger than HTTP_MAX_BODY_BYTES is cut there and named, not read into memory', async () => {
    let sent = 0;
    await serving(
      (req, res) => {
        if (req.url?.startsWith('/api/v1/search'))
          return res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[{"ID":"m1","To":[{"Address":"a@b.c"}]}]}');
        // The message: a JSON body that never ends.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ID":"m1","HTML":"');
        const more = () => {
          while (sent < 64 * 1024 * 1024 && res.write('x'.repeat(16 * 1024))) sent += 16 * 1024;
          if (sent < 64 * 1024 * 1024) res.once('drain', more);
        };
        more();
      },
      async (base) => {
        const inbox = openInbox(base, 5000, 64 * 1024);
        await assert.rejects(inbox.waitForMail({ address: 'a@b.c', username: 'a' }, { timeoutMs: 5000 }), (e: unknown) => {
          assert.ok(e instanceof MailError && e.kind === 'unreachable', String(e));
          assert.match((e as Error).message, /cut at 64 KiB: its body is larger than HTTP_MAX_BODY_BYTES allows/);
          return true;
        });
        assert.ok(sent < 16 * 1024 * 1024, `it stopped reading (the server got ${sent} bytes out)`);
      },
    );
  });
});

describe('the Mailpit inbox answered with a redirect', () => {
  test('the redirect is not followed (the Basic credentials with it): a failure naming where it pointed', async () => {
    let followed = '';
    await serving(
      (req, res) => {
        followed = req.headers.authorization ?? '(none)';
        res.end('{"messages":[]}');
      },
      (elsewhere) =>
        serving(
          (_req, res) => res.writeHead(302, { location: `${elsewhere}/api/v1/search` }).end(),
          async (base) => {
            const inbox = openInbox(base.replace('://', '://qa:s3cret-pass@'), 2000);
            await assert.rejects(inbox.waitForMail({ address: 'a@b.c', username: 'a' }, { timeoutMs: 2000 }), (e: unknown) => {
              assert.ok(e instanceof MailError && e.kind === 'unreachable', String(e));
              assert.match((e as Error).message, new RegExp(`a redirect to ${elsewhere}/api/v1/search, which the harness does not follow`));
              assert.doesNotMatch((e as Error).message, /s3cret/);
              return true;
            });
            assert.equal(followed, '', 'the redirect was followed');
          },
        ),
    );
  });
});

describe('verifying an account by its mail', () => {
  // Not JWT-shaped, so no pattern would catch it: only knowing it is the link's token hides it.
  const token = 'tok3n-Secret-0123456789abcdef';
  const link = `https://api.temporal.cloud/v2/account/email/verify/dora/${token}`;
  const inbox: Inbox = {
    label: 'a test inbox',
    waitForMail: async () => ({ id: '1', subject: 'welcome', html: `<a href="${link}">link</a>`, text: '' }),
    close: async () => {},
  };
  const account = { username: 'dora', email_address: 'dora@example.test' };

  test('a refusal that echoes the link quotes the answer without the token', async () => {
    await serving(
      (req, res) =>
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 400, response: `bad link ${req.url}` })),
      async (base) => {
        await assert.rejects(verifyByMail(new TemporalClient({ baseUrl: base, timeoutMs: 2000 }), inbox, account, 1000), (e: unknown) => {
          assert.ok(e instanceof VerificationError && e.stage === 'answer' && e.status === 400, String(e));
          assert.match((e as Error).message, /answered HTTP 400: .*bad link \/v2\/account\/email\/verify\/dora\/\[redacted\]/);
          assert.ok(!(e as Error).message.includes(token), (e as Error).message);
          return true;
        });
      },
    );
  });

  test('a link that gets no answer is a TransportError (callers retry or report it) whose URL hides the token', async () => {
    await serving(
      (req) => req.socket.destroy(),
      async (base) => {
        await assert.rejects(verifyByMail(new TemporalClient({ baseUrl: base, timeoutMs: 2000 }), inbox, account, 1000), (e: unknown) => {
          assert.ok(e instanceof TransportError && e.kind === 'reset', String(e));
          assert.match(
            (e as Error).message,
            /GET http:\/\/127\.0\.0\.1:\d+\/v2\/account\/email\/verify\/dora\/\[redacted\]: the connection was dropped/,
          );
          assert.ok(!(e as Error).message.includes(token), (e as Error).message);
          return true;
        });
      },
    );
  });

  test('the link is opened twice: a second 200 or a 4xx that says why is fine; a 5xx, or a 4xx with no reason, is not', async () => {
    const answers = (second: [number, string]) => {
      let n = 0;
      return (_req: unknown, res: import('node:http').ServerResponse) => {
        const [status, body] = n++ === 0 ? [200, '{"code":200,"response":"email verified"}'] : second;
        res.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body);
      };
    };
    for (const fine of [
      [200, '{"code":200,"response":"email verified"}'],
      [400, '{"code":400,"response":"email already verified"}'],
    ] as [number, string][])
      await serving(answers(fine), async (base) => {
        await verifyByMail(new TemporalClient({ baseUrl: base, timeoutMs: 2000 }), inbox, account, 1000);
      });
    for (const [status, body] of [
      [500, ''],
      [400, '{"code":400,"response":""}'],
    ] as [number, string][])
      await serving(answers([status, body]), async (base) => {
        await assert.rejects(verifyByMail(new TemporalClient({ baseUrl: base, timeoutMs: 2000 }), inbox, account, 1000), (e: unknown) => {
          assert.ok(e instanceof VerificationError && e.stage === 'again' && e.status === status, String(e));
          assert.match(
            (e as Error).message,
            new RegExp(
              'the link mailed to dora@example.test verified it, but opening it a second time \\(a user clicking twice, a mail ' +
                `scanner fetching it first\\) answered HTTP ${status}.*, expected 200 or a 4xx that says why`,
            ),
          );
          return true;
        });
      });
  });

  test('a mail without the link quotes its subject redacted, then cut', async () => {
    const noLink: Inbox = {
      ...inbox,
      waitForMail: async () => ({ id: '1', subject: `password=${token} ${'x'.repeat(300)}`, html: 'hello', text: '' }),
    };
    await assert.rejects(
      verifyByMail(new TemporalClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 }), noLink, account, 1000),
      (e: unknown) => {
        assert.ok(e instanceof VerificationError && e.stage === 'link', String(e));
        assert.ok(!(e as Error).message.includes(token), (e as Error).message);
        assert.ok((e as Error).message.length < 400, 'the subject is cut');
        return true;
      },
    );
  });
});

describe('the verification link in a mail', () => {
  const token = 'eyJhbGciOiJIUzUxMiJ9.eyJ1c2VyIjoiYWxpY2UifQ.c2ln';
  test('is the link to the verification route, not the first link of the mail, with its path to open on the target', () => {
    const html =
      `Pin extension via the <a href="https://play2.temporal.cloud">Playground</a>. To validate your email, just ` +
      `click the following <a href="https://api.temporal.cloud/v2/account/email/verify/alice/${token}">link</a> or <a ` +
      `href="https://t.me/x">Telegram</a>`;
    assert.deepEqual(verificationLink({ html, text: '' }), {
      link: `https://api.temporal.cloud/v2/account/email/verify/alice/${token}`,
      path: `/v2/account/email/verify/alice/${token}`,
    });
  });
  test('is found in a text-only mail too, and is undefined when the mail has none', () => {
    assert.equal(
      verificationLink({ html: '', text: `open https://dev.api.temporal.cloud/v2/account/email/verify/bob/${token}\n` })?.path,
      `/v2/account/email/verify/bob/${token}`,
    );
    assert.equal(verificationLink({ html: '<a href="https://play2.temporal.cloud">x</a>', text: 'hello' }), undefined);
  });
});

describe('the welcome mail the reference target sends over SMTP', () => {
  test('reaches Mailpit with the link on the production host, which the inbox finds', async () => {
    const address = unique('welcome');
    const mailer = smtpMailer(mailpit.smtpUrl);
    mailer.sendWelcome({ username: 'carol', address, link: 'https://api.temporal.cloud/v2/account/email/verify/carol/a.b.c' });
    await mailer.flush();
    mailer.close();
    const mail = await openInbox(mailpit.inboxUrl, 2000).waitForMail({ address, username: 'carol' }, { timeoutMs: 5000 });
    assert.match(mail.subject, /Welcome To Temporal/);
    assert.equal(verificationLink(mail)?.link, 'https://api.temporal.cloud/v2/account/email/verify/carol/a.b.c');
  });
});

test('Mailpit stops with close(): its process is gone and its temporary database removed', async () => {
  const m = await startMailpit();
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(alive(m.pid), true);
  assert.equal(existsSync(m.dataDir), true);
  await m.close();
  assert.equal(alive(m.pid), false);
  const r = await fetch(`${m.inboxUrl}/readyz`).catch(() => undefined);
  assert.equal(r, undefined, 'its API no longer answers');
  assert.equal(existsSync(m.dataDir), false, 'its temporary database is removed');
});
