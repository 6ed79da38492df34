// The safety gate: a target that is not this machine gets no traffic unless CONFIRM_TARGET names
// its host. Shown with k6's `hosts` option, which maps a non-loopback name onto the bundled
// target on loopback, so we can see whether anything arrived.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { tempDir } from '../support/temp.ts';
import { K6_LATENCY_ROOM, runK6Direct, runLoad, tail } from '../support/k6.ts';

const HOST = 'api.staging.test';

describe('load safety gate, for real', () => {
  let target: RunningTarget;
  let hostsConfig: string;
  before(async () => {
    target = await startTarget({ port: 0 });
    hostsConfig = join(tempDir('hx-load-hosts-'), 'k6-hosts.json');
    writeFileSync(hostsConfig, JSON.stringify({ hosts: { [HOST]: '127.0.0.1' } }));
  });
  after(() => target.close());

  it('npm run load refuses a non-loopback TARGET_URL without CONFIRM_TARGET, with exit 2, before any traffic', async () => {
    const run = await runLoad(['credits'], { TARGET_URL: `http://${HOST}:${target.port}` });
    assert.equal(run.code, 2, tail(run));
    assert.match(
      run.output,
      /CONFIRM_TARGET: refusing to load api\.staging\.test: it is not this machine.*CONFIRM_TARGET=api\.staging\.test/s,
    );
    assert.equal(target.store.userCount(), 0);
  });

  it('npm run load refuses an unknown flag before -- with exit 2 naming it, before anything starts (after --: k6PassThrough)', async () => {
    const unknown = await runLoad(['login', '--vus', '5']);
    assert.equal(unknown.code, 2, tail(unknown));
    assert.match(unknown.output, /--vus: not an option of npm run load; did you mean -e LOAD_MAX_VUS=<n>\?/);
    assert.doesNotMatch(unknown.output, /\n\s+at /, 'a stack trace');
    // After --, the same flag is k6's, and one that would undo the runner's bounds (selftest/load/pass-through.test.ts has them all).
    const after = await runLoad(['login', '--', '--vus', '5']);
    assert.equal(after.code, 2, tail(after));
    assert.match(after.output, /k6 flag --vus: not accepted after --/);
    assert.doesNotMatch(after.output, /\n\s+at /, 'a stack trace');
    // A pass-through does not make the runner lenient about its own flags.
    const both = await runLoad(['login', '--rte', '5', '--', '--out', 'json=/dev/null']);
    assert.equal(both.code, 2, tail(both));
    assert.match(both.output, /--rte: not an option of npm run load; npm run load -- --help lists its options/);
  });

  it('npm run load refuses a bad profile value with exit 2, naming the setting as k6 names it', async () => {
    const run = await runLoad(['login', '-e', 'LOAD_DURATION=45m']);
    assert.equal(run.code, 2, tail(run));
    assert.match(run.output, /LOAD_DURATION: at most 30m per run/);
    const k6 = await runK6Direct('login.ts', { TARGET_URL: `http://127.0.0.1:${target.port}`, LOAD_DURATION: '45m' });
    assert.equal(k6.code, 107, tail(k6));
    assert.match(k6.output, /LOAD_DURATION: at most 30m per run/);
    assert.equal(target.store.userCount(), 0);
  });

  it('npm run load -e takes the settings by their one name, and no password on the command line', async () => {
    const unknown = await runLoad(['login', '-e', 'RATE=5', '-e', 'LOAD_RATE']);
    assert.equal(unknown.code, 2, tail(unknown));
    assert.match(unknown.output, /-e RATE: not a setting of npm run load/);
    assert.match(unknown.output, /-e LOAD_RATE: expected KEY=VALUE/);
    const secret = await runLoad(['login', '-e', 'LOAD_USERNAME=u', '-e', 'LOAD_PASSWORD=hx-cmdline-secret']);
    assert.equal(secret.code, 2, tail(secret));
    assert.match(secret.output, /-e LOAD_PASSWORD: give it in the environment or \.env, not on the command line/);
    assert.doesNotMatch(secret.output, /hx-cmdline-secret/);
    // -e is the environment for the run: the bundled target takes its faults from it too.
    const faulty = await runLoad(['credits', '-e', 'TARGET_FAULTS=token-rejected', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_POOL_SIZE=1']);
    assert.equal(faulty.code, 99, tail(faulty));
  });

  it('plain k6 run refuses it too (script error), and nothing reaches the target', async () => {
    const run = await runK6Direct('credits.ts', { TARGET_URL: `http://${HOST}:${target.port}`, CONFIRM_TARGET: 'api.prod.test' }, [
      '--config',
      hostsConfig,
    ]);
    assert.equal(run.code, 107, tail(run));
    assert.match(run.output, /refusing to load api\.staging\.test/);
    assert.equal(target.store.userCount(), 0, 'setup registered accounts on a refused target');
  });

  // The gate read the host up to the first colon, inside user:password, so this URL counted
  // as loopback and k6 loaded api.staging.test. Now the URL is parsed (WHATWG) and credentials refused.
  const BYPASS = () => `http://127.0.0.1:x@${HOST}:${target.port}`;

  it('npm run load refuses http://127.0.0.1:x@<host> (credentials, and not loopback), with exit 2, before any traffic', async () => {
    const run = await runLoad(['credits'], { TARGET_URL: BYPASS() });
    assert.equal(run.code, 2, tail(run));
    assert.match(run.output, /TARGET_URL: must not hold a user name or password/);
    assert.doesNotMatch(run.output, /127\.0\.0\.1:x@/, 'the URL with its credentials was printed');
    assert.equal(target.store.userCount(), 0);
  });

  it('plain k6 run refuses http://127.0.0.1:x@<host> too, and nothing reaches the target', async () => {
    const run = await runK6Direct('credits.ts', { TARGET_URL: BYPASS(), LOAD_DURATION: '2s', LOAD_RATE: '5', LOAD_POOL_SIZE: '1' }, [
      '--config',
      hostsConfig,
    ]);
    assert.equal(run.code, 107, tail(run));
    assert.match(run.output, /TARGET_URL: must not hold a user name or password/);
    assert.equal(target.store.userCount(), 0, 'setup registered accounts on a refused target');
  });

  it('plain k6 run refuses TARGET_FAULTS: k6 never starts the bundled target, so faults would mean nothing', async () => {
    const run = await runK6Direct('credits.ts', { TARGET_URL: `http://127.0.0.1:${target.port}`, TARGET_FAULTS: 'drop' });
    assert.equal(run.code, 107, tail(run));
    assert.match(run.output, /TARGET_FAULTS: only the bundled reference target takes faults/);
    assert.equal(target.store.userCount(), 0);
  });

  it('plain k6 run goes ahead once CONFIRM_TARGET names the host', async () => {
    const run = await runK6Direct(
      'credits.ts',
      // Generous latency limits: this is about the gate, and a loaded CI machine must not make it fail.
      {
        TARGET_URL: `HTTP://${HOST.toUpperCase()}:${target.port}/`,
        CONFIRM_TARGET: HOST,
        LOAD_DURATION: '2s',
        LOAD_RATE: '5',
        LOAD_POOL_SIZE: '1',
        ...K6_LATENCY_ROOM,
      },
      ['--config', hostsConfig],
    );
    assert.equal(run.code, 0, tail(run));
    assert.equal(target.store.userCount(), 1);
  });

  // A loopback target answering 307 to another host walked k6 (which follows 10 redirects
  // by default) around the gate: 36 requests to the other host, 5 registrations with their passwords,
  // and "passed". The scripts set maxRedirects: 0: a redirect is a failure naming where it pointed.
  it('npm run load follows no redirect: the run fails naming where it pointed, and nothing reaches the other host', async () => {
    let farHits = 0;
    const farServer = createServer((_req, res) => {
      farHits++;
      res.end('{}');
    });
    await new Promise<void>((r) => farServer.listen(0, '127.0.0.1', r));
    const far = `http://127.0.0.1:${(farServer.address() as AddressInfo).port}`;
    const near = createServer((req, res) => res.writeHead(307, { location: `${far}${req.url}` }).end());
    await new Promise<void>((r) => near.listen(0, '127.0.0.1', r));
    const nearUrl = `http://127.0.0.1:${(near.address() as AddressInfo).port}`;
    try {
      // The generation probe (Node, TARGET_GENERATION=auto) registers first: refused at the redirect.
      const probe = await runLoad(['login', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_POOL_SIZE=1'], { TARGET_URL: nearUrl });
      assert.equal(probe.code, 107, tail(probe));
      assert.match(probe.output, new RegExp(`the answer was a redirect to ${far}/v2/auth/register, which the harness does not follow`));
      // With the generation given, k6's setup() registers the pool: refused at the first redirect, a script error.
      const setup = await runLoad(['login', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_POOL_SIZE=1'], {
        TARGET_URL: nearUrl,
        TARGET_GENERATION: 'documented',
      });
      assert.equal(setup.code, 107, tail(setup));
      assert.match(setup.output, new RegExp(`answered 307 \\(a redirect to ${far}/v2/auth/register, which is not followed\\)`));
      // Given accounts, the logins themselves are redirected: every check fails, saying where to.
      const login = await runLoad(['login', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_RATE=2'], {
        TARGET_URL: nearUrl,
        LOAD_USERNAME: 'someone',
        LOAD_PASSWORD: 'a-password-1',
      });
      assert.equal(login.code, 99, tail(login));
      assert.match(
        login.output,
        new RegExp(`login answered 307 \\(a redirect to ${far}/v2/auth/login, which is not followed\\), expected 200`),
      );
      assert.equal(farHits, 0, 'k6 followed the redirect');
    } finally {
      near.close();
      farServer.close();
    }
  });
});
