// The real server's outbox as an inbox. The server sends no mail itself: it publishes each one as
// JSON ({"subject","content","content_type":"text/html","user_names":[…],"emails":[…]}) on a
// RabbitMQ queue (email-send-queue) for a mail worker to send. A staging without that worker keeps
// every mail there, and the harness reads it as the worker would, with one rule: it takes only the
// mail of the accounts it is waiting for and leaves every other message where it was.
//
// AMQP has no "get the message for X", so a sweep basic.gets every ready message without
// acknowledging it (an unacknowledged message is invisible to other readers, so one sweep sees each
// message once and never loops on one it has put back), acknowledges (takes) those for the accounts
// waited for, then rejects the rest with requeue, which puts them back in their place (RabbitMQ
// keeps a requeued message's position: no reordering). A reader sweeping at the same moment
// (Playwright's other worker) misses what this one holds for those milliseconds and finds it on its
// next sweep. A sweep starts only when the queue's ready count says something came (or every few
// seconds), so the others' mail is not handed round needlessly: on a quorum queue each put-back
// counts towards its delivery limit.
//
// Bounded like every answer the harness reads (HTTP_MAX_BODY_BYTES): amqplib gathers each message
// whole in memory and has no limit of its own, so a message larger than the limit has its content
// frames (each at most the negotiated frame_max, 128 KiB) dropped as they arrive (capMessages); it
// is handed on empty and marked, and the sweep puts it back unread, in its place.
// amqplib itself is loaded when a queue is first opened: a run that reads no outbox (the documented
// generation, a Mailpit inbox) does not pay for it at start-up (the one-shot monitor's start).
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { DEFAULT_MAX_BODY_BYTES, humanBytes } from '../http.ts';
import { redactThenCut } from '../redact.ts';
import { MailError, parseOutboxUrl, type Inbox, type Mail, type OutboxAddress, type Recipient } from './inbox.ts';
import { trustedTls } from '../trust.ts';

/** Between two looks at the queue while the mail has not arrived. */
const POLL_MS = 250;
/** A sweep even when the ready count did not move (a message taken and another added meanwhile). */
const FULL_SWEEP_EVERY_MS = 5000;
/** Bounds of one sweep: a queue holding more than this is read in part, and says so. */
const MAX_SWEEP_MESSAGES = 10_000;
const MAX_SWEEP_BYTES = 64 * 1024 * 1024;
/** How much of the broker's own words an error quotes (after redaction). */
const MAX_ERROR_CHARS = 300;
/** The header capMessages marks a message it did not read with (its size in bytes). */
const UNREAD = 'x-harness-unread-bytes';
/** amqplib's frame ids: a content header frame carries the class id (basic = 60); content frames none. */
const BASIC_PROPERTIES = 60;

interface Frame {
  id?: number;
  size?: number;
  content?: Buffer;
  fields?: { headers?: Record<string, unknown> } & Record<string, unknown>;
}

/**
 * Drops the content of every message larger than `maxBytes` as it arrives, so no such message is
 * ever held in memory: amqplib's Channel#accept (its frame handler) is wrapped; the message goes on
 * with no content and the UNREAD header. selftest/core/outbox.test.ts holds this to a 64 MiB message.
 */
function capMessages(channel: Channel, maxBytes: number): void {
  const ch = channel as unknown as { accept: (f: Frame) => unknown };
  const accept = ch.accept.bind(channel);
  let dropping = 0;
  ch.accept = (f: Frame) => {
    if (dropping > 0 && f.id === undefined && f.content) {
      dropping -= f.content.length;
      return undefined;
    }
    if (f.id === BASIC_PROPERTIES && typeof f.size === 'number' && f.size > maxBytes) {
      dropping = f.size;
      return accept({ ...f, size: 0, fields: { ...f.fields, headers: { ...f.fields?.headers, [UNREAD]: f.size } } });
    }
    return accept(f);
  };
}

interface OutboxMessage {
  subject?: unknown;
  content?: unknown;
  content_type?: unknown;
  user_names?: unknown;
  emails?: unknown;
}

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);
const keysOf = (to: Recipient): string[] => [to.username.toLowerCase(), to.address.toLowerCase()].filter(Boolean);

/** The mail a message holds, and whom it is for (lower-case usernames and addresses); undefined when it is not the server's mail JSON. */
function readMessage(body: Buffer, id: string): { mail: Mail; to: string[]; users: string[] } | undefined {
  let m: OutboxMessage;
  try {
    m = JSON.parse(body.toString('utf8')) as OutboxMessage;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const users = strings(m.user_names).map((s) => s.toLowerCase());
  const to = [...users, ...strings(m.emails).map((s) => s.toLowerCase())];
  const content = typeof m.content === 'string' ? m.content : '';
  const html = String(m.content_type ?? '').toLowerCase() === 'text/html';
  return { mail: { id, subject: String(m.subject ?? '').trim(), html: html ? content : '', text: html ? '' : content }, to, users };
}

/** An AMQP client error in words for the person on call (the broker's own text redacted, then cut; never the URL or password). */
function inWords(err: unknown, address: OutboxAddress): string {
  const e = err as { code?: string | number; message?: string };
  const text = String(e?.message ?? err);
  const redacted = redactThenCut(text, MAX_ERROR_CHARS, [address.password]);
  if (e?.code === 'ECONNREFUSED') return 'connection refused: nothing is listening there';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (/ETIMEDOUT|timed out/i.test(text)) return 'no answer within the time limit';
  if (/Frame size|Expected AMQP|Unexpected frame/i.test(text)) return 'what answers there does not speak AMQP';
  if (/ACCESS[-_]REFUSED|403/.test(text)) return 'the broker refused the user and password given in MAIL_INBOX_URL';
  if (/NOT_FOUND - no queue/.test(text))
    return `there is no queue '${address.queue}' there: is it the RabbitMQ the server publishes its mail to (its config's rabbitmq.url)?`;
  // A virtual host that does not exist, or that the user may not use: the broker closes the connection while it opens.
  if (/NOT_ALLOWED|Expected ConnectionOpenOk/i.test(text))
    return `the broker refused the virtual host '${address.vhost}' (it does not exist there, or this user may not use it)`;
  return redacted;
}

export class OutboxInbox implements Inbox {
  readonly label: string;
  private readonly address: OutboxAddress;
  private conn?: Promise<{ model: ChannelModel; channel: Channel }>;
  /** Mail taken from the queue, by lower-case username and address: kept so it can be read again, as from a mail catcher. */
  private readonly taken = new Map<string, Mail[]>();
  /** The recipients being waited for: a sweep takes their mail, whoever started it. */
  private readonly waiting = new Map<string, number>();
  /** One sweep at a time per inbox. */
  private sweeping: Promise<void> = Promise.resolve();
  /** When the last sweep ended and how many messages it left ready; `fresh`: someone new is waited
   *  for since (their mail may be among what it put back). */
  private lastSweep = { at: 0, left: -1, fresh: true };
  private seq = 0;
  /** The last sweep stopped at its bounds with messages unread. */
  private truncated = false;
  /** Messages the last sweep left unread because they were larger than maxBodyBytes. */
  private oversized = 0;

  constructor(
    url: string,
    private readonly requestTimeoutMs = 10_000,
    /** HTTP_MAX_BODY_BYTES: a message larger than this is left in the queue unread. */
    private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  ) {
    const a = parseOutboxUrl(url);
    if ('problem' in a) throw new MailError('unreachable', `MAIL_INBOX_URL: ${a.problem}`);
    this.address = a;
    this.label = `the server's mail outbox (RabbitMQ queue ${a.queue} at ${a.shown})`;
  }

  private async channel(): Promise<Channel> {
    if (!this.conn) this.conn = this.open();
    const opening = this.conn;
    try {
      return (await opening).channel;
    } catch (err) {
      if (this.conn === opening) this.conn = undefined;
      throw err;
    }
  }

  private open(): Promise<{ model: ChannelModel; channel: Channel }> {
    const opening: Promise<{ model: ChannelModel; channel: Channel }> = (async () => {
      const a = this.address;
      const { connect } = await import('amqplib');
      const model = await connect(
        {
          protocol: a.protocol,
          hostname: a.hostname,
          port: a.port,
          username: a.username,
          password: a.password,
          vhost: a.vhost,
          heartbeat: 30,
        },
        // amqps://: the same CAs as the target (TARGET_CA_FILE, with the system's roots), when there are extra ones.
        { timeout: this.requestTimeoutMs, ...trustedTls() },
      );
      // Errors also arrive as events; without a listener they would end the process. A channel the
      // broker closed (a queue that is not there) takes its connection with it: the next sweep starts anew.
      const drop = () => {
        if (this.conn === opening) this.conn = undefined;
        model.close().catch(() => undefined);
      };
      model.on('error', drop);
      model.on('close', drop);
      const channel = await model.createChannel();
      capMessages(channel, this.maxBodyBytes);
      channel.on('error', drop);
      channel.on('close', drop);
      return { model, channel };
    })();
    return opening;
  }

  /** Drops the connection: the broker puts back whatever it still had handed to us, in place. */
  private async disconnect(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (!c) return;
    try {
      await (await c).model.close();
    } catch {
      /* already gone */
    }
  }

  /** Takes the mail of every recipient waited for (or, with `discard`, every mail whose accounts
   *  it claims); puts every other message back. Returns how many it discarded. */
  private async sweep(discard?: (users: string[]) => boolean): Promise<number> {
    const ch = await this.channel();
    const ready = (await ch.checkQueue(this.address.queue)).messageCount;
    const unchanged = ready === this.lastSweep.left && !this.lastSweep.fresh && Date.now() - this.lastSweep.at < FULL_SWEEP_EVERY_MS;
    if (ready === 0 || (unchanged && !discard)) return 0;
    let discarded = 0;
    this.lastSweep.fresh = false;
    const held: GetMessage[] = [];
    const acked = new Set<GetMessage>();
    let bytes = 0;
    this.truncated = false;
    this.oversized = 0;
    try {
      for (;;) {
        if (held.length >= MAX_SWEEP_MESSAGES || bytes >= MAX_SWEEP_BYTES) {
          this.truncated = true;
          break;
        }
        const m = await ch.get(this.address.queue, { noAck: false });
        if (!m) break;
        held.push(m);
        bytes += m.content.length;
      }
      for (const m of held) {
        if (m.properties.headers?.[UNREAD] !== undefined) {
          this.oversized++;
          continue;
        }
        const read = readMessage(m.content, `${this.address.queue}#${++this.seq}`);
        if (!read) continue;
        if (discard) {
          if (read.users.length === 0 || !discard(read.users)) continue;
          ch.ack(m);
          acked.add(m);
          discarded++;
          continue;
        }
        if (!read.to.some((k) => this.waiting.has(k))) continue;
        ch.ack(m);
        acked.add(m);
        for (const k of new Set(read.to)) this.taken.set(k, [...(this.taken.get(k) ?? []), read.mail]);
      }
    } finally {
      // Everything not taken goes back, in one frame ("every one up to and including the last"), in place.
      const last = held.findLast((m) => !acked.has(m));
      if (last) ch.nack(last, true, true);
    }
    this.lastSweep = { ...this.lastSweep, at: Date.now(), left: (await ch.checkQueue(this.address.queue)).messageCount };
    return discarded;
  }

  /** A sweep, one at a time, bounded by the request time limit (a broker that stops answering is dropped). */
  private sweepOnce(discard?: (users: string[]) => boolean): Promise<number> {
    const run = this.sweeping.then(async () => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), this.requestTimeoutMs);
      });
      try {
        return await Promise.race([this.sweep(discard), limit]);
      } catch (err) {
        await this.disconnect();
        throw new MailError('unreachable', `${this.label} could not be read: ${inWords(err, this.address)}`);
      } finally {
        clearTimeout(timer);
      }
    });
    this.sweeping = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private newest(to: Recipient): Mail | undefined {
    for (const k of keysOf(to)) {
      const list = this.taken.get(k);
      if (list?.length) return list.at(-1);
    }
    return undefined;
  }

  async waitForMail(to: Recipient, { timeoutMs }: { timeoutMs: number }): Promise<Mail> {
    const deadline = Date.now() + timeoutMs;
    const keys = keysOf(to);
    for (const k of keys) this.waiting.set(k, (this.waiting.get(k) ?? 0) + 1);
    this.lastSweep.fresh = true;
    try {
      for (;;) {
        await this.sweepOnce();
        const mail = this.newest(to);
        if (mail) return mail;
        if (Date.now() + POLL_MS > deadline)
          throw new MailError(
            'none',
            `no mail to ${to.username} <${to.address}> reached ${this.label} within ${Math.round(timeoutMs / 1000)} s (MAIL_WAIT_S)${
              this.truncated ? `; it holds more than ${MAX_SWEEP_MESSAGES} messages, and only the first were read` : ''
            }${
              this.oversized
                ? `; ${this.oversized} message(s) larger than ${humanBytes(this.maxBodyBytes)} (HTTP_MAX_BODY_BYTES) were left there unread`
                : ''
            }: does the target publish its mail to this queue, and does no mail worker take it first?`,
          );
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } finally {
      for (const k of keys) {
        const n = (this.waiting.get(k) ?? 1) - 1;
        if (n > 0) this.waiting.set(k, n);
        else this.waiting.delete(k);
      }
    }
  }

  /**
   * Takes every queued mail addressed only to accounts `mine` claims (a run's own accounts, by their
   * name prefix), and drops it: what a run leaves behind for accounts it never verified would
   * otherwise pile up in a long-lived queue. Everyone else's mail stays. Returns how many it took.
   */
  discardMine(mine: (username: string) => boolean): Promise<number> {
    return this.sweepOnce((users) => users.every(mine));
  }

  async close(): Promise<void> {
    await this.sweeping;
    await this.disconnect();
  }
}
