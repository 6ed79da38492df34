// npm run conformance, against a stand-in for the real server (a latest reference target of its
// own, with its own Mailpit): the same answers compare as the same, request by request; a server
// that answers otherwise (here: fields added to every answer) has each difference listed, and the
// run fails. (Against the real server itself it runs in npm test's real-server step, when the kit is there.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startMailpit, type RunningMailpit } from '../../core/mail/mailpit-process.ts';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { CASES } from '../../proof/conformance/cases.ts';
import type { CaseOutcome } from '../../proof/conformance.ts';
import { runCli } from '../support/cli.ts';

let mail: RunningMailpit;
let standIn: RunningTarget;
const key = randomBytes(24).toString('hex');

before(async () => {
  mail = await startMailpit();
  standIn = await startTarget({ generation: 'latest', smtpUrl: mail.smtpUrl, jwtKey: key, realm: 'stand-in-realm' });
});
after(async () => {
  await standIn?.close();
  await mail?.close();
});

async function conformance(json = true) {
  const r = await runCli(process.execPath, ['--import', 'tsx', 'proof/conformance.ts', ...(json ? ['--json'] : [])], {
    TARGET_URL: standIn.url,
    TARGET_GENERATION: 'latest',
    MAIL_INBOX_URL: mail.inboxUrl,
    TARGET_JWT_KEY: key,
    MAIL_WAIT_S: '10',
  });
  return { code: r.code, output: r.output, report: json ? (JSON.parse(r.stdout) as { ok: boolean; outcomes: CaseOutcome[] }) : undefined };
}

test('a server that answers as the reference does: every request the same, exit 0', async () => {
  standIn.setFaults('');
  const r = await conformance();
  assert.equal(r.code, 0, r.output);
  assert.equal(r.report!.outcomes.length, CASES.length);
  const notSame = r.report!.outcomes.filter((o) => o.verdict !== 'same');
  assert.deepEqual(notSame, [], 'the realm is taken from the server; everything else must match');
});

test('a server that answers otherwise: each difference listed (where, the real value, the reference value), exit 1', async () => {
  standIn.setFaults('field-added');
  const r = await conformance(false);
  assert.equal(r.code, 1);
  assert.match(r.output, /✖ register: a new account — body response fields: real also Region; reference -/);
  assert.match(r.output, /✖ login: a wrong password — body \(top\) fields: real also RequestID; reference -/);
  assert.match(r.output, /✖ \d+ of \d+ requests answered the same, 0 with known differences only, \d+ differ/);
});
