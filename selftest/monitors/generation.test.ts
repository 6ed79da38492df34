// TARGET_GENERATION=auto (the default) against a TARGET_URL: the monitor's dedicated account tells the
// generation. A latest target without MAIL_INBOX_URL stops it with one sentence naming the setting
// (exit 2) after the two requests that told it, never "login itself is broken"; with an inbox it
// verifies the account, passes, and keeps the generation with the account: the next run does not ask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMailpit } from '../../core/mail/mailpit-process.ts';
import { monitorRunEnv, runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';
import { withTarget } from '../support/target.ts';

const LIMIT = 1000;

/** One monitor pass against `url`, its state (the account and the generation it was told) kept in `dir`. */
function once(url: string, dir: string, extra: Record<string, string>) {
  return runCli(process.execPath, ['--import', 'tsx', 'monitors/main.ts', '--once'], {
    ...monitorRunEnv(dir),
    TARGET_URL: url,
    MAIL_WAIT_S: '10',
    LOG_FORMAT: 'json',
    ...extra,
  });
}

/** Requests the target has counted for this client, this look included. */
const counted = async (url: string) =>
  LIMIT - Number((await fetch(`${url}/v2/account/token/username`)).headers.get('x-ratelimit-remaining'));

test('auto against a latest target: without an inbox exit 2 naming MAIL_INBOX_URL after 2 requests; with one, detected, verified, kept', async () => {
  const mail = await startMailpit();
  const h = await withTarget({ generation: 'latest', smtpUrl: mail.smtpUrl, rateLimit: LIMIT });
  try {
    const dir = tempDir();
    const bare = await once(h.target.url, dir, { MAIL_INBOX_URL: '' });
    assert.equal(bare.code, 2, bare.output);
    assert.match(
      bare.stderr,
      /MAIL_INBOX_URL: not set, but the target is of the latest generation \(a new account could not log in right after registering \(login 401\): it must be verified first\), so the new accounts made by the monitor cannot log in until the link mailed to them is opened: set MAIL_INBOX_URL to the HTTP API of the Mailpit that catches the target's mail/,
    );
    assert.doesNotMatch(bare.output, /login itself is broken/);
    assert.equal(await counted(h.target.url), 2 + 1, 'register and login, then nothing (and this look)');

    const first = await once(h.target.url, dir, { MAIL_INBOX_URL: mail.inboxUrl });
    assert.equal(first.code, 0, first.output);
    assert.match(
      first.stdout,
      /^login\s+PASS\s.*registered it as the dedicated monitoring account; generation: latest, detected: a new account could not log in right after registering \(login 401\) until the link mailed to it was opened \(5 requests\)/m,
    );
    const second = await once(h.target.url, dir, { MAIL_INBOX_URL: mail.inboxUrl });
    assert.equal(second.code, 0, second.output);
    assert.doesNotMatch(second.stdout, /detected/, 'told once, kept with the account');
    assert.match(second.stdout, /^rate limit: 1000 requests per hour for this client, \d+ left until .*; this pass sent 5 requests$/m);
  } finally {
    await h.close();
    await mail.close();
  }
});
