// The welcome mail of the latest generation, sent over SMTP (TARGET_SMTP_URL) as the real server's
// mail worker sends what registration queues (api/v2/routes_utils.go handleUserCreate, queue/mail.go):
// HTML, to "<username> <address>", with the verification link on the server's production host.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface WelcomeMail {
  username: string;
  address: string;
  /** The whole link, https://api.temporal.cloud/v2/account/email/verify/<username>/<token>. */
  link: string;
}

export interface Mailer {
  /** Sends in the background, as the real server queues it: registration does not wait for it. */
  sendWelcome(mail: WelcomeMail): void;
  /** Resolves once every mail handed over so far was sent or given up. */
  flush(): Promise<void>;
  close(): void;
}

// The organization name is empty for a personal account, hence the leading space (sic).
const SUBJECT = ' Welcome To Temporal 🌌 Read This For Crucial Getting Started Tips';

/** The real server's text, word for word: other links come before the verification one. */
const welcomeHtml = (link: string): string =>
  [
    "Thanks for signing up with Temporal, before you get started it's important we discuss our pinning system.\n",
    'When uploading to Temporal you must specify a "hold time" which tells our system how long your data should be around for.\n',
    "When you're using Temporal via the playground, or the API directly you can configure this for up to 24 months with paid " +
      'accounts, and up to 12 months for free accounts.\n',
    'Temporal’s free tier offers 3GB of storage on the house, paid tier rates are just $0.07/GB and partner tier rates are $0.05/GB.\n',
    '<br>',
    '<br>',
    'When using Temporal through third-party implementations like our IPFS HTTP API reverse proxy, or the ENS management app, ' +
      'we use a default hold time of 12 months for free users and 1 month for paid users.\n',
    "We use 1 month for paid users because being in the paid tier means you have to pay for the data consumption and we don't " +
      'want to overcharge paid users.\n',
    'For example if you used the ENS management app to upload your website, and want it to stick around for longer than the ' +
      'default duration you need to extend the pin.\n',
    'Pin extension can be done via the <a href="https://play2.temporal.cloud">Temporal Playground</a> or via the API.\n',
    '<br>',
    '<br>',
    "Lastly let's talk about emails! We try our best to not spam your inbox, so we limit emails to a few things: payment " +
      'notifications, pin expiration warnings, password/username retrieval and processing failures.\n',
    'But before we do this, you must validate your email. Additionally before validating your email, you are in the ' +
      "'unverified' tier which is limited to 100MB of data consumption. Email verification is now mandatory\n",
    `To validate your email, just click the following <a href="${link}">link</a>\n`,
    '<br>',
    '<br>',
    'Questions, comments, concerns, or just feeling talkative? Join us on Telegram where you can receive live support and ' +
      'updates: <a href="https://t.me/RTradeTEMPORAL">click here</a>\n',
    '<br>',
    '<br>',
    'Thanks for signing up!',
  ].join('');

export function smtpMailer(url: string, logger?: Logger): Mailer {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: 4, connectionTimeout: 5000, socketTimeout: 10_000 });
  const pending = new Set<Promise<unknown>>();
  return {
    sendWelcome({ username, address, link }) {
      const sent = transport
        .sendMail({
          from: { name: 'Temporal', address: 'noreply@temporal.cloud' },
          to: { name: username, address },
          subject: SUBJECT,
          html: welcomeHtml(link),
        })
        .catch((err: Error) => logger?.warn({ reason: err.message, to: address }, 'reference target: the welcome mail was not sent'))
        .finally(() => pending.delete(sent));
      pending.add(sent);
    },
    flush: async () => {
      await Promise.all([...pending]);
    },
    close: () => transport.close(),
  };
}
