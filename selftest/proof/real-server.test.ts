// npm test's real-server step (npm run test:real-server): without the kit (a user's clone) it is
// skipped with one line saying why, and exit 0: it never fails a user's npm test. It reads the
// kit's start.sh line as the kit writes it. (Its run against the real server is npm test's own last step.)
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseStartLine } from '../../proof/real-server/kit.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

test('no kit: skipped with one line that says why, exit 0', async () => {
  const r = await runCli(process.execPath, ['--import', 'tsx', 'proof/real-server.ts'], { REAL_SERVER_KIT: tempDir() });
  assert.equal(r.code, 0, r.output);
  assert.match(
    r.stdout,
    /^real server: skipped: no real-server kit at \S+ \(it is not part of the repository; REAL_SERVER_KIT names one elsewhere\)\n$/,
  );
});

test("what the kit says is printed redacted: an outbox URL's password never shows; a start that fails is exit 1", async () => {
  const kit = tempDir();
  writeFileSync(join(kit, 'env.sh'), 'API_URL=http://127.0.0.1:1\n');
  writeFileSync(
    join(kit, 'start.sh'),
    'echo "start: rabbitmq at amqp://qa:Sup3rSecretXyz@127.0.0.1:1/ does not answer" >&2\necho "start: FAILED"\nexit 1\n',
  );
  chmodSync(join(kit, 'start.sh'), 0o755);
  const r = await runCli(process.execPath, ['--import', 'tsx', 'proof/real-server.ts'], { REAL_SERVER_KIT: kit });
  assert.equal(r.code, 1, r.output);
  assert.match(r.stdout, /kit +│ start: rabbitmq at amqp:\/\/qa:\[redacted\]@127\.0\.0\.1:1\/ does not answer/);
  assert.match(r.stdout, /✖ real server: start\.sh \(dev\) failed \(exit 1\)/);
  assert.doesNotMatch(r.output, /Sup3rSecretXyz/);
});

test("start.sh's line gives the API and the outbox (a renamed queue as ?queue=)", () => {
  assert.deepEqual(
    parseStartLine(
      'real server listening on http://127.0.0.1:16768 (mail outbox amqp://guest:guest@127.0.0.1:5673/ queue email-send-queue)\n',
    ),
    { url: 'http://127.0.0.1:16768', inboxUrl: 'amqp://guest:guest@127.0.0.1:5673/' },
  );
  assert.equal(
    parseStartLine('real server listening on http://127.0.0.1:1 (mail outbox amqp://u:p@127.0.0.1:2/ queue mails)')?.inboxUrl,
    'amqp://u:p@127.0.0.1:2/?queue=mails',
  );
  assert.equal(parseStartLine('start: FAILED'), undefined);
  // Production mode: https, the kit's CA and its rate limit.
  assert.deepEqual(
    parseStartLine(
      'real server listening on https://127.0.0.1:16768 (mail outbox amqp://guest:guest@127.0.0.1:5673/ queue email-send-queue; ' +
        'production mode: CA certificate /tmp/temporal-real-server/tls/ca.pem, rate limit 600 requests per hour per client)',
    ),
    {
      url: 'https://127.0.0.1:16768',
      inboxUrl: 'amqp://guest:guest@127.0.0.1:5673/',
      caFile: '/tmp/temporal-real-server/tls/ca.pem',
      rateLimit: 600,
    },
  );
});
