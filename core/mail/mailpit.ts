// The inbox over Mailpit's HTTP API (https://mailpit.axllent.org/docs/api-v1/): search the messages
// to an address (newest first), then read the newest one. A Mailpit behind its --ui-auth-file takes
// the user:password of MAIL_INBOX_URL as Basic auth (fetch refuses credentials in a URL).
import { DEFAULT_MAX_BODY_BYTES, fetchTransport, TransportError, type Transport } from '../http.ts';
import { MailError, type Inbox, type Mail, type Recipient } from './inbox.ts';

interface SearchAnswer {
  messages?: { ID?: unknown; To?: { Address?: unknown }[] | null }[];
}
interface MessageAnswer {
  ID?: unknown;
  Subject?: unknown;
  HTML?: unknown;
  Text?: unknown;
}

/** Between two searches while the mail has not arrived. */
const POLL_MS = 250;

export class MailpitInbox implements Inbox {
  readonly label: string;
  private readonly base: string;
  private readonly headers: Record<string, string> = { accept: 'application/json' };

  constructor(
    url: string,
    private readonly requestTimeoutMs = 10_000,
    /** HTTP_MAX_BODY_BYTES: a mail is the server's text too; one with no end must not take the memory. */
    private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    private readonly transport: Transport = fetchTransport,
  ) {
    const u = new URL(url);
    if (u.username || u.password) {
      const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    u.username = '';
    u.password = '';
    // Mailpit's --webroot puts the API under a path: keep it.
    this.base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    this.label = `Mailpit at ${this.base}`;
  }

  private async get<T>(path: string): Promise<T> {
    let res: Awaited<ReturnType<Transport>>;
    try {
      res = await this.transport({
        method: 'GET',
        url: this.base + path,
        headers: this.headers,
        timeoutMs: this.requestTimeoutMs,
        maxBodyBytes: this.maxBodyBytes,
      });
    } catch (err) {
      if (err instanceof TransportError) throw new MailError('unreachable', `${this.label} could not be read: ${err.message}`);
      throw err;
    }
    const what = `${this.label} answered HTTP ${res.status} to GET ${path.split('?')[0]}`;
    if (res.status === 401) throw new MailError('unreachable', `${what}: it wants a user and password (put them in MAIL_INBOX_URL)`);
    if (res.status !== 200) throw new MailError('unreachable', `${what}: is MAIL_INBOX_URL the address of Mailpit's web UI and API?`);
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new MailError(
        'unreachable',
        `${what} with a body that is not JSON: is MAIL_INBOX_URL the address of Mailpit's web UI and API?`,
      );
    }
  }

  /** The id of the newest message to `address`, if any. */
  private async newestId(address: string): Promise<string | undefined> {
    // `to:` matches a part of the address, so the list is filtered on the whole address again.
    const found = await this.get<SearchAnswer>(`/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`);
    const want = address.toLowerCase();
    const hit = (found.messages ?? []).find((m) => (m.To ?? []).some((t) => String(t.Address ?? '').toLowerCase() === want));
    return hit && typeof hit.ID === 'string' ? hit.ID : undefined;
  }

  async waitForMail(to: Recipient, { timeoutMs }: { timeoutMs: number }): Promise<Mail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const id = await this.newestId(to.address);
      if (id) {
        const m = await this.get<MessageAnswer>(`/api/v1/message/${encodeURIComponent(id)}`);
        return { id, subject: String(m.Subject ?? ''), html: String(m.HTML ?? ''), text: String(m.Text ?? '') };
      }
      if (Date.now() + POLL_MS > deadline)
        throw new MailError(
          'none',
          `no mail to ${to.address} reached ${this.label} within ${Math.round(timeoutMs / 1000)} s (MAIL_WAIT_S): does the ` +
            `target send its mail to this Mailpit's SMTP port?`,
        );
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async close(): Promise<void> {}
}
