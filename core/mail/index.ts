// The inbox for MAIL_INBOX_URL, by its scheme, and the rule every part that makes accounts follows
// against a target of the latest generation: it needs an inbox, or accounts verified beforehand.
import type { GenerationChoice } from '../contract.ts';
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
  TARGET_GENERATION: GenerationChoice;
  MAIL_INBOX_URL?: string;
}

/** What MAIL_INBOX_URL must point at, for every message that names it. */
const INBOX_IS =
  "the HTTP API of the Mailpit that catches the target's mail (http://mailpit.staging.example.com:8025) or the RabbitMQ " +
  'the server publishes its mail to (amqp://user:password@rabbitmq.staging.example.com:5672/)';

/**
 * Against a target of the latest generation, new accounts cannot log in until the link mailed to
 * them is opened. When `part` must make accounts there and has no inbox to read, this is the one
 * sentence to stop on (before any traffic, or right after the probe that told the generation:
 * `detected` says how); undefined otherwise. The bundled target needs none: the parts start Mailpit
 * next to it. With TARGET_GENERATION=auto nothing is known before the probe.
 */
export function missingInbox(s: MailSettings, part: string, preVerified?: string, detected?: string): string | undefined {
  if (s.TARGET_GENERATION !== 'latest' || s.MAIL_INBOX_URL || !s.TARGET_URL) return undefined;
  const because = detected ? `the target is of the latest generation (${detected})` : 'TARGET_GENERATION=latest';
  return (
    `MAIL_INBOX_URL: not set, but ${because}, so the new accounts made by ${part} cannot log in until the link mailed to ` +
    `them is opened: set MAIL_INBOX_URL to ${INBOX_IS}${preVerified ? `, or give ${preVerified}` : ''}`
  );
}

/** The inbox is there but the target's mail does not come to it: MAIL_INBOX_URL points elsewhere. */
export const unusableInbox = (label: string, part: string, why: string): string =>
  `MAIL_INBOX_URL: the target is of the latest generation, and the mail of the account ${part} made to tell it did not come ` +
  `to ${label} (${why.replace(/^could not verify [^:]+: /, '')}): set MAIL_INBOX_URL to ${INBOX_IS}`;
