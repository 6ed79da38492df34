// The inbox for MAIL_INBOX_URL, by its scheme, and the rule every part that makes accounts follows
// against a target of the latest generation: it needs an inbox, or accounts verified beforehand.
import type { Generation } from '../contract.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../http.ts';
import { SettingsError } from '../settings.ts';
import { INBOX_PROTOCOLS, type Inbox } from './inbox.ts';
import { MailpitInbox } from './mailpit.ts';
import { OutboxInbox } from './outbox.ts';

export type { Inbox, Mail, Recipient } from './inbox.ts';
export { MailError } from './inbox.ts';

/** The inbox at `url` (MAIL_INBOX_URL, already through its URL rules). Its reads take the run's time
 *  limit per request and body limit (HTTP_MAX_BODY_BYTES), as the API's answers do. One case per
 *  scheme of INBOX_PROTOCOLS (amqp:// = the server's outbox). */
export function openInbox(url: string, requestTimeoutMs: number, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): Inbox {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  switch (scheme) {
    case 'http':
    case 'https':
      return new MailpitInbox(url, requestTimeoutMs, maxBodyBytes);
    case 'amqp':
    case 'amqps':
      return new OutboxInbox(url, requestTimeoutMs, maxBodyBytes);
    default:
      throw new SettingsError([`MAIL_INBOX_URL: no inbox reads ${scheme}:// (known: ${INBOX_PROTOCOLS.join(', ')})`]);
  }
}

interface MailSettings {
  TARGET_URL?: string;
  TARGET_GENERATION: Generation;
  MAIL_INBOX_URL?: string;
}

/**
 * Against a target of the latest generation, new accounts cannot log in until the link mailed to
 * them is opened. When `part` must make accounts there and has no inbox to read, this is the one
 * sentence to stop on (before any traffic); undefined otherwise. The bundled target needs none:
 * the parts start Mailpit next to it.
 */
export function missingInbox(s: MailSettings, part: string, preVerified: string): string | undefined {
  if (s.TARGET_GENERATION !== 'latest' || s.MAIL_INBOX_URL || !s.TARGET_URL) return undefined;
  return (
    `MAIL_INBOX_URL: not set, but TARGET_GENERATION=latest, and the new accounts made by ${part} cannot log in until the link ` +
    `mailed to them is opened. ` +
    `Set MAIL_INBOX_URL to the HTTP API of the Mailpit that catches the target's mail (e.g. ` +
    `http://mailpit.staging.example.com:8025) or to the RabbitMQ the server publishes its mail to ` +
    `(amqp://user:password@rabbitmq.staging.example.com:5672/), or give ${preVerified}`
  );
}
