// How the harness reads the mail a target sends to the accounts it makes: one interface, one
// implementation per kind of mailbox, chosen by the scheme of MAIL_INBOX_URL (core/mail/index.ts).
// Today http(s) = Mailpit's HTTP API; the real server's RabbitMQ outbox (amqp://, issue 14) goes
// behind the same interface. A leaf module: settings read the schemes from it.

import type { UrlRules } from '../url.ts';

/** MAIL_INBOX_URL schemes with an implementation in core/mail/index.ts. */
export const INBOX_PROTOCOLS = ['http', 'https'] as const;

/** MAIL_INBOX_URL through the URL rules (core/url.ts): a Mailpit behind --ui-auth-file takes the
 *  URL's user:password as Basic auth, so credentials are allowed (and never shown: see settings). */
export const INBOX_URL_RULES: UrlRules = {
  schemes: INBOX_PROTOCOLS,
  credentials: true,
  example: "http://127.0.0.1:8025 (Mailpit's HTTP API)",
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
