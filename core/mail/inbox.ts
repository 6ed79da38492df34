// How the harness reads the mail a target sends to the accounts it makes: one interface, one
// implementation per kind of mailbox, chosen by the scheme of MAIL_INBOX_URL (core/mail/index.ts):
// http(s) = Mailpit's HTTP API; amqp(s) = the real server's own outbox, the RabbitMQ queue it
// publishes each mail to. A leaf module: settings read the schemes and the URL rules from it.

import type { UrlRules } from '../url.ts';

/** MAIL_INBOX_URL schemes with an implementation in core/mail/index.ts. */
export const INBOX_PROTOCOLS = ['http', 'https', 'amqp', 'amqps'] as const;

/** The queue the real server publishes its mail to (RTradeLtd/Temporal queue.EmailSendQueue). */
export const OUTBOX_QUEUE = 'email-send-queue';

/** What an amqp(s):// MAIL_INBOX_URL names: the broker, the virtual host, the queue. */
export interface OutboxAddress {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port?: number;
  username: string;
  password: string;
  /** AMQP's default virtual host is `/`: an empty path or `/` names it, `/staging` names `staging`. */
  vhost: string;
  queue: string;
  /** For messages: the URL without its user and password. */
  shown: string;
}

/**
 * Reads an amqp(s):// MAIL_INBOX_URL (`amqp://user:pass@host:port/vhost?queue=name`): the outbox's
 * address, or what is wrong with it (never quoting the URL: it holds a password). The queue is the
 * server's `email-send-queue` unless `?queue=` names another (a deployment that renamed it).
 */
export function parseOutboxUrl(url: string): OutboxAddress | { problem: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { problem: 'expected a URL such as amqp://user:password@rabbitmq.staging.example.com:5672/' };
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'amqp' && protocol !== 'amqps') return { problem: 'expected an amqp:// or amqps:// URL' };
  if (!u.hostname) return { problem: 'expected a host in the amqp:// URL' };
  if (u.hash) return { problem: 'must not have a fragment (#…)' };
  const extra = [...u.searchParams.keys()].filter((k) => k !== 'queue');
  if (extra.length) return { problem: `takes one query parameter, queue (the outbox's queue name); not ${[...new Set(extra)].join(', ')}` };
  const queue = u.searchParams.get('queue') ?? OUTBOX_QUEUE;
  if (!/^[\w.:-]{1,255}$/.test(queue)) return { problem: 'queue: expected a queue name (letters, digits, - _ . :)' };
  const path = u.pathname.replace(/^\//, '');
  let vhost: string;
  try {
    vhost = path === '' ? '/' : decodeURIComponent(path);
  } catch {
    return { problem: 'the virtual host (the path) is not valid percent-encoding' };
  }
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    return { problem: 'the user or password is not valid percent-encoding' };
  }
  const shown = `${protocol}://${u.host}/${path}${queue === OUTBOX_QUEUE ? '' : `?queue=${queue}`}`;
  return {
    protocol,
    hostname: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : undefined,
    username,
    password,
    vhost,
    queue,
    shown,
  };
}

/** MAIL_INBOX_URL through the URL rules (core/url.ts): the outbox's broker takes a user and password,
 *  and a Mailpit behind --ui-auth-file takes them as Basic auth, so credentials are allowed (and never
 *  shown: see settings). Only an amqp(s):// outbox takes a query, its ?queue= (parseOutboxUrl checks
 *  the rest); Mailpit's base URL has paths appended to it. */
export const INBOX_URL_RULES: UrlRules = {
  schemes: INBOX_PROTOCOLS,
  credentials: true,
  query: ['amqp', 'amqps'],
  example: "http://127.0.0.1:8025 (Mailpit's HTTP API) or amqp://user:password@127.0.0.1:5672/ (the server's RabbitMQ outbox)",
};

/** Who a mail is for: mailboxes keyed by address (Mailpit) or by account (the server's outbox,
 *  whose messages name both) find it by one or the other. */
export interface Recipient {
  address: string;
  username: string;
}

export interface Mail {
  /** The mailbox's own id of the message. */
  id: string;
  subject: string;
  html: string;
  text: string;
}

export interface Inbox {
  /** For messages, e.g. `Mailpit at http://127.0.0.1:8025`; never holds credentials. */
  readonly label: string;
  /** The newest mail to `to`, polling until one arrives or `timeoutMs` has passed (MailError). */
  waitForMail(to: Recipient, opts: { timeoutMs: number }): Promise<Mail>;
  close(): Promise<void>;
}

/** The inbox could not be read (`unreachable`) or held no mail for the recipient in time (`none`). */
export class MailError extends Error {
  constructor(
    readonly kind: 'none' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'MailError';
  }
}
