// The client against the reference target and against targets that misbehave at the transport level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { TemporalClient } from '../../core/client.ts';
import { TransportError } from '../../core/http.ts';
import { withTarget, newAccount } from '../support/target.ts';

test('login is sent as JSON in a text/plain body; register and change password as multipart forms', async (t) => {
  const seen: { path: string; type: string | undefined; auth: string | undefined }[] = [];
  const h = await withTarget();
  t.after(() => h.close());
  // Wrap the transport to see what goes on the wire.
  const api = new TemporalClient({
    baseUrl: h.target.url,
    transport: async (req) => {
      seen.push({
        path: new URL(req.url).pathname,
        type: req.body?.kind === 'text' ? req.body.contentType : req.body?.kind,
        auth: req.headers.authorization,
      });
      const { fetchTransport } = await import('../../core/http.ts');
      return fetchTransport(req);
    },
  });
  const a = newAccount();
  assert.equal((await api.register(a)).status, 200);
  const login = await api.login({ username: a.username, password: a.password });
  const token = (login.body as { token: string }).token;
  await api.changePassword(token, { old_password: a.password, new_password: 'x-new-password' });
  assert.deepEqual(
    seen.map((s) => s.type),
    ['multipart', 'text/plain;charset=UTF-8', 'multipart'],
  );
  assert.equal(seen[2]!.auth, `Bearer ${token}`);
});

test('responses carry status, lower-case headers, timing and the parsed body; HTTP errors do not throw', async (t) => {
  const h = await withTarget();
  t.after(() => h.close());
  const r = await h.api.creditsAvailable(undefined);
  assert.equal(r.status, 401);
  assert.equal(r.json, true);
  assert.deepEqual(r.body, { code: 401, message: 'auth header empty' });
  assert.match(r.headers['content-type']!, /^application\/json/);
  assert.ok(r.ms > 0);
  const nf = await h.api.raw('GET', '/v2/nowhere');
  assert.equal(nf.status, 404);
  assert.equal(nf.json, false);
  assert.equal(nf.body, '404 page not found');
});

test('a refused connection is a TransportError of kind refused', async () => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const api = new TemporalClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
  await assert.rejects(
    api.creditsAvailable('t'),
    (e: unknown) => e instanceof TransportError && e.kind === 'refused' && /connection refused/.test(e.message),
  );
});

test('a target that never answers is a TransportError of kind timeout, within the time limit', async (t) => {
  const h = await withTarget({ faults: 'hang' });
  t.after(() => h.close());
  const api = new TemporalClient({ baseUrl: h.target.url, timeoutMs: 300 });
  await assert.rejects(
    api.creditsAvailable('t'),
    (e: unknown) => e instanceof TransportError && e.kind === 'timeout' && /no answer within the time limit \(300 ms\)/.test(e.message),
  );
});

test('a dropped connection is a TransportError of kind reset', async (t) => {
  const h = await withTarget({ faults: 'drop' });
  t.after(() => h.close());
  await assert.rejects(h.api.creditsAvailable('t'), (e: unknown) => e instanceof TransportError && e.kind === 'reset');
});

test('a server that closes without HTTP is a TransportError, not a crash', async (t) => {
  const srv = createServer((s) => s.end('garbage\r\n\r\n'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const api = new TemporalClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
  await assert.rejects(api.creditsAvailable('t'), (e: unknown) => e instanceof TransportError);
});
