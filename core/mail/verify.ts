// Verifying an account the way its owner would: read the welcome mail, take the link, open it. The
// real server writes its own production host into the link whatever host was called, so what is
// opened is the link's path on the target under test.
import { decodeHTML } from 'entities';
import type { ApiResponse, TemporalClient } from '../client.ts';
import { API_PATHS, MESSAGES } from '../contract.ts';
import { TransportError } from '../http.ts';
import { excerpt, redactText } from '../redact.ts';
import { MailError, type Inbox, type Mail } from './inbox.ts';

/** The link to the verification route, with or without a host; its path is group 1. */
const LINK = new RegExp(`(?:https?://[^\\s"'<>/]+)?(${API_PATHS.verifyEmail}/[^\\s"'<>/?#]+/[^\\s"'<>/?#]+)`);

export interface VerificationLink {
  /** As written in the mail (the server's host). */
  link: string;
  /** What the harness opens on the target. */
  path: string;
}

/** `<a … href="…">`: the link a mail client opens. */
const HREF = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/** The verification link in a mail (its HTML first, as the server sends HTML), if it has one. */
export function verificationLink(mail: Pick<Mail, 'html' | 'text'>): VerificationLink | undefined {
  // What a reader's mail client opens: the link's href with its entities decoded, parsed as a URL (a
  // space in it is sent as %20, a # starts the fragment), whatever characters the username holds.
  for (const m of mail.html.matchAll(HREF)) {
    const href = decodeHTML(m[1] ?? m[2] ?? '').trim();
    if (!href.includes(`${API_PATHS.verifyEmail}/`) || !URL.canParse(href)) continue;
    return { link: href, path: new URL(href).pathname };
  }
  for (const body of [mail.html, mail.text]) {
    const m = LINK.exec(body.replace(/&amp;/g, '&'));
    if (m) return { link: m[0], path: m[1]! };
  }
  return undefined;
}

/** Why an account could not be verified, in words for the person on call (no token in it). `again`:
 *  the link verified it, but opening it a second time broke (a 5xx, or a 4xx that gives no reason). */
export class VerificationError extends Error {
  constructor(
    readonly stage: 'mail' | 'link' | 'answer' | 'again',
    message: string,
    /** The link's HTTP status, when it answered (stage `answer`). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** "HTTP 400: {...}", redacted (the link's token too: a server may echo it) before the cut. */
const answerText = (res: ApiResponse, secrets: readonly string[]): string => {
  const text = excerpt(res.text, 160, secrets);
  return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
};

/** The secret part of a verification link: its token (the last segment of the path). */
export const linkToken = (link: Pick<VerificationLink, 'path'>): string => link.path.slice(link.path.lastIndexOf('/') + 1);

export interface Verifiable {
  username: string;
  email_address: string;
}

/** A second answer of the link a user may see without alarm: 200 again, or a 4xx that says why. */
function clearSecondAnswer(res: ApiResponse): boolean {
  if (res.status === 200) return true;
  if (res.status < 400 || res.status >= 500 || !res.json) return false;
  const body = res.body as { response?: unknown; message?: unknown };
  const reason = typeof body?.response === 'string' ? body.response : body?.message;
  return typeof reason === 'string' && reason.trim() !== '';
}

/** How each opening of the link is sent: at once by default; a caller that rides out staging blips
 *  (the load runner's pool) retries each opening on its own, so that a blip on the second opening does
 *  not start the whole verification again. */
export type OpenLink = (open: () => Promise<ApiResponse>) => Promise<ApiResponse>;

/** Reads `account`'s newest mail from `inbox` and opens its link on `api`'s target, twice: a user clicks
 *  twice, a mail scanner fetches the link before its reader does. Throws VerificationError, or the
 *  TransportError of a link that got no answer (with the link's token hidden). The account must then
 *  still be verified: the caller's next login shows that. */
export async function verifyByMail(
  api: TemporalClient,
  inbox: Inbox,
  account: Verifiable,
  timeoutMs: number,
  send: OpenLink = (open) => open(),
): Promise<VerificationLink> {
  let mail: Mail;
  try {
    mail = await inbox.waitForMail({ address: account.email_address, username: account.username }, { timeoutMs });
  } catch (err) {
    if (err instanceof MailError) throw new VerificationError('mail', `could not verify ${account.username}: ${err.message}`);
    throw err;
  }
  const link = verificationLink(mail);
  if (!link)
    throw new VerificationError(
      'link',
      // The subject is the sender's text: redacted, then cut, like any answer quoted.
      `could not verify ${account.username}: the newest mail to ${account.email_address} ` +
        `('${excerpt(mail.subject, 100)}') holds no ${API_PATHS.verifyEmail}/... link`,
    );
  const token = linkToken(link);
  const open = () =>
    send(async () => {
      try {
        return await api.verifyEmail(link.path);
      } catch (err) {
        // A TransportError quotes the URL it was sent to, and the link's token is in its path. It stays
        // a TransportError: callers tell a lost answer (retried, or a transport failure) from a refusal.
        if (err instanceof TransportError) throw err.hiding((text) => redactText(text, [token]));
        throw err;
      }
    });
  const res = await open();
  const body = res.json ? (res.body as { response?: unknown }) : undefined;
  if (res.status !== 200 || body?.response !== MESSAGES.emailVerified)
    throw new VerificationError(
      'answer',
      `could not verify ${account.username}: the link mailed to ${account.email_address} answered ` +
        `${answerText(res, [token])}, expected 200 '${MESSAGES.emailVerified}'`,
      res.status,
    );
  const again = await open();
  if (!clearSecondAnswer(again))
    throw new VerificationError(
      'again',
      `could not verify ${account.username} for good: the link mailed to ${account.email_address} verified it, but opening it ` +
        `a second time (a user clicking twice, a mail scanner fetching it first) answered ${answerText(again, [token])}, ` +
        'expected 200 or a 4xx that says why',
      again.status,
    );
  return link;
}
