// The real server's outbox as an inbox (core/mail/outbox.ts), against a real RabbitMQ of the test's
// own: the server's mail JSON on a durable queue, as RTradeLtd/Temporal publishes it. It takes only
// the mail of the accounts it waits for and leaves every other message in the queue, in its order;
// two readers at once (Playwright's two workers) each get their own; the password never shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { MailError, OUTBOX_QUEUE } from '../../core/mail/inbox.ts';
import { openInbox } from '../../core/mail/index.ts';
import type { OutboxInbox } from '../../core/mail/outbox.ts';
import { verificationLink } from '../../core/mail/verify.ts';
import { rabbitMissing, startRabbit, type RunningRabbit } from '../support/rabbitmq.ts';

const missing = rabbitMissing();

/** A mail as the server queues it (queue.EmailSend). */
const mail = (user: string, n = 0) =>
  Buffer.from(
    JSON.stringify({
      subject: ' Welcome To Temporal 🌌 Read This For Crucial Getting Started Tips',
      content:
        `Thanks for signing up ${n}. To validate your email, just click the following <a ` +
        `href="https://dev.api.temporal.cloud/v2/account/email/verify/${user}/eyJhbGciOiJIUzUxMiJ9.eyJ1c2VyIjoi${n}In0.c2ln">link</a>`,
      content_type: 'text/html',
      user_names: [user],
      emails: [`${user}@example.com`],
    }),
  );
const to = (user: string) => ({ username: user, address: `${user}@example.com` });

describe('the outbox inbox on a real RabbitMQ', { skip: missing }, () => {
  let rabbit: RunningRabbit;
  let conn: ChannelModel;
  let ch: Channel;
  const publish = (q: string, body: Buffer) => ch.sendToQueue(q, body, { persistent: true, contentType: 'text/plain' });
  /** What the queue holds, in order, left in place (each message put back as the inbox does). */
  async function contents(q: string): Promise<string[]> {
    const peek = await conn.createChannel();
    const held = [];
    for (;;) {
      const m = await peek.get(q, { noAck: false });
      if (!m) break;
      held.push(m);
    }
    if (held.length) peek.nack(held.at(-1)!, true, true);
    await peek.close();
    return held.map((m) => {
      try {
        return (JSON.parse(m.content.toString()) as { user_names: string[] }).user_names[0]!;
      } catch {
        return m.content.toString();
      }
    });
  }

  before(async () => {
    rabbit = await startRabbit();
    conn = await connect(rabbit.url);
    ch = await conn.createChannel();
    // Declared as the server declares it (durable, no arguments).
    await ch.assertQueue(OUTBOX_QUEUE, { durable: true });
    await ch.assertQueue('renamed-queue', { durable: true });
  });
  after(async () => {
    await conn?.close();
    await rabbit?.close();
  });

  test("takes its account's mail and leaves every other message in the queue, in its order", async () => {
    for (const u of ['someone-1', 'alice']) publish(OUTBOX_QUEUE, mail(u));
    publish(OUTBOX_QUEUE, Buffer.from('not the server mail: a message of another kind'));
    publish(OUTBOX_QUEUE, mail('someone-2'));
    const inbox = openInbox(rabbit.url, 5000);
    try {
      const got = await inbox.waitForMail(to('alice'), { timeoutMs: 5000 });
      assert.equal(got.subject, 'Welcome To Temporal 🌌 Read This For Crucial Getting Started Tips');
      assert.equal(verificationLink(got)?.path.split('/')[5], 'alice');
      assert.deepEqual(await contents(OUTBOX_QUEUE), ['someone-1', 'not the server mail: a message of another kind', 'someone-2']);
      // Taken mail stays readable, as from a mail catcher (a retry reads the same link again).
      assert.equal((await inbox.waitForMail(to('alice'), { timeoutMs: 1000 })).id, got.id);
    } finally {
      await inbox.close();
    }
  });

  test('waits for mail that comes later, and two readers at once each get their own', async () => {
    const [w1, w2] = [openInbox(rabbit.url, 5000), openInbox(rabbit.url, 5000)];
    try {
      const both = Promise.all([w1.waitForMail(to('bob'), { timeoutMs: 30_000 }), w2.waitForMail(to('carol'), { timeoutMs: 30_000 })]);
      await new Promise((r) => setTimeout(r, 600));
      for (const u of ['someone-3', 'carol', 'bob', 'someone-4']) publish(OUTBOX_QUEUE, mail(u));
      const [b, c] = await both;
      assert.match(b.html, /verify\/bob\//);
      assert.match(c.html, /verify\/carol\//);
      assert.deepEqual(await contents(OUTBOX_QUEUE), [
        'someone-1',
        'not the server mail: a message of another kind',
        'someone-2',
        'someone-3',
        'someone-4',
      ]);
    } finally {
      await w1.close();
      await w2.close();
    }
  });

  test("no mail in time: a MailError that names the queue, and the others' mail is still there", async () => {
    const inbox = openInbox(rabbit.url, 5000);
    const t0 = Date.now();
    try {
      await assert.rejects(inbox.waitForMail(to('dave'), { timeoutMs: 1500 }), (e: unknown) => {
        assert.ok(e instanceof MailError && e.kind === 'none');
        assert.match(
          (e as Error).message,
          new RegExp(
            /no mail to dave <dave@example.com> reached the server's mail outbox /.source +
              /\(RabbitMQ queue email-send-queue at amqp:\/\/127\.0\.0\.1:\d+\/\)/.source,
          ),
        );
        return true;
      });
      assert.ok(Date.now() - t0 < 4000, 'gives up at its time limit');
      assert.equal((await contents(OUTBOX_QUEUE)).length, 5);
    } finally {
      await inbox.close();
    }
  });

  test('another queue by name (?queue=), and one that is not there is said so', async () => {
    publish('renamed-queue', mail('erin'));
    const renamed = openInbox(`${rabbit.url}?queue=renamed-queue`, 5000);
    const none = openInbox(`${rabbit.url}?queue=no-such-queue`, 5000);
    try {
      assert.match((await renamed.waitForMail(to('erin'), { timeoutMs: 5000 })).html, /verify\/erin\//);
      await assert.rejects(none.waitForMail(to('erin'), { timeoutMs: 1000 }), /could not be read: there is no queue 'no-such-queue' there/);
    } finally {
      await renamed.close();
      await none.close();
    }
  });

  test("a run's leftovers (mail to its own accounts only) can be taken; mail that names anyone else stays", async () => {
    await ch.assertQueue('leftovers', { durable: true });
    for (const u of ['hx-run1-a', 'someone-5', 'hx-run1-b']) publish('leftovers', mail(u));
    const both = JSON.parse(mail('hx-run1-c').toString()) as { user_names: string[] };
    both.user_names.push('someone-6');
    publish('leftovers', Buffer.from(JSON.stringify(both)));
    const inbox = openInbox(`${rabbit.url}?queue=leftovers`, 5000) as OutboxInbox;
    try {
      assert.equal(await inbox.discardMine((u) => u.startsWith('hx-run1-')), 2);
      assert.deepEqual(await contents('leftovers'), ['someone-5', 'hx-run1-c']);
    } finally {
      await inbox.close();
    }
  });

  test('a message larger than HTTP_MAX_BODY_BYTES is never read into memory: left unread in its place, and said so', async () => {
    await ch.assertQueue('huge', { durable: true });
    // A mail for the very account waited for, 12 MiB long (under RabbitMQ 4's 16 MiB message limit),
    // then its ordinary mail: the inbox (a 64 KiB limit) must take only the second. Without the
    // limit amqplib would gather the whole message and the sweep would take it.
    const huge = JSON.parse(mail('grace', 1).toString()) as { content: string };
    huge.content += 'x'.repeat(12 * 1024 * 1024);
    publish('huge', Buffer.from(JSON.stringify(huge)));
    publish('huge', mail('grace', 2));
    const inbox = openInbox(`${rabbit.url}?queue=huge`, 10_000, 64 * 1024);
    try {
      const got = await inbox.waitForMail(to('grace'), { timeoutMs: 10_000 });
      assert.match(got.html, /Thanks for signing up 2\./);
      // The huge one is still there, unread and in place; one that never comes names it.
      assert.deepEqual(await contents('huge'), ['grace']);
      await assert.rejects(inbox.waitForMail(to('heidi'), { timeoutMs: 1000 }), (e: unknown) => {
        assert.ok(e instanceof MailError && e.kind === 'none', String(e));
        assert.match((e as Error).message, /1 message\(s\) larger than 64 KiB \(HTTP_MAX_BODY_BYTES\) were left there unread/);
        return true;
      });
    } finally {
      await inbox.close();
    }
  });

  test('a wrong password is refused in words, and the password is never in them', async () => {
    const secret = 'Sup3rSecretPassw0rd';
    const inbox = openInbox(rabbit.url.replace('guest:guest', `guest:${secret}`), 5000);
    try {
      await assert.rejects(inbox.waitForMail(to('frank'), { timeoutMs: 1000 }), (e: unknown) => {
        assert.ok(e instanceof MailError && e.kind === 'unreachable');
        assert.match((e as Error).message, /the broker refused the user and password given in MAIL_INBOX_URL/);
        assert.doesNotMatch((e as Error).message, new RegExp(secret));
        return true;
      });
      assert.doesNotMatch(inbox.label, new RegExp(secret));
    } finally {
      await inbox.close();
    }
  });
});
