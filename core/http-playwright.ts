// Transport over Playwright's APIRequestContext (the `request` fixture), so each call shows up in
// traces and reports like any Playwright request.
//
// The size limit: Playwright reads a whole answer into memory before it hands it over, and has no
// option to stop early (1.65 has none such as maxResponseSize), so a body with no end would take
// the worker's memory. Its requests run in this process over Node's http module, which reports
// each answer on the documented diagnostics channel `http.client.response.finish` as soon as its
// headers arrive. There we count the bytes the answer's socket delivers and destroy the request at
// the limit; Playwright then fails the call, and this transport says why (TransportError
// 'too-large'). To count what will be kept, the transport asks for an uncompressed answer
// (Accept-Encoding: identity); a compressed one could expand without bound, so it is not read.
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { APIRequestContext } from '@playwright/test';
import { DEFAULT_MAX_BODY_BYTES, redirectLocation, TransportError, type HttpRequest, type Transport } from './http.ts';

interface Watch {
  method: string;
  /** host[:port] as the Host header says it, and path?query. */
  host: string;
  path: string;
  limit: number;
  taken: boolean;
  /** Set when the answer was stopped: why, in the words the check's message will use. */
  stopped?: TransportError;
}

const watches = new Set<Watch>();
let listening = false;

function onResponse(message: unknown): void {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  if (watches.size === 0) return;
  const host = String(request.getHeader('host') ?? '');
  const watch = [...watches].find((w) => !w.taken && w.method === request.method && w.host === host && w.path === request.path);
  if (!watch) return;
  watch.taken = true;
  const req = { method: watch.method, url: `${request.protocol}//${host}${request.path}` } as HttpRequest;
  const stop = (error: TransportError) => {
    watch.stopped = error;
    request.destroy();
  };
  const type = response.headers['content-type'];
  const encoding = (response.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    stop(
      new TransportError(
        'too-large',
        req,
        `HTTP ${response.statusCode}, Content-Encoding: ${encoding}`,
        'the answer came compressed although the harness asked for none (Accept-Encoding: identity); its size cannot be ' +
          'bounded, so it was not read',
      ),
    );
    return;
  }
  if (Number(response.headers['content-length']) > watch.limit) {
    stop(TransportError.tooLarge({ ...req, maxBodyBytes: watch.limit }, response.statusCode ?? 0, type));
    return;
  }
  // Bytes on the wire after the headers (chunk framing included: a slight overcount, on the safe side).
  const socket = response.socket;
  let seen = 0;
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > watch.limit) {
      socket.off('data', count);
      stop(TransportError.tooLarge({ ...req, maxBodyBytes: watch.limit }, response.statusCode ?? 0, type));
    }
  };
  socket.on('data', count);
  response.once('close', () => socket.off('data', count));
}

export function playwrightTransport(request: APIRequestContext): Transport {
  if (!listening) {
    subscribe('http.client.response.finish', onResponse);
    listening = true;
  }
  return async (req) => {
    const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
    const options: Parameters<APIRequestContext['fetch']>[1] = {
      method: req.method,
      headers,
      timeout: req.timeoutMs,
      failOnStatusCode: false,
      maxRedirects: 0,
    };
    if (req.body?.kind === 'text') {
      headers['content-type'] = req.body.contentType;
      options.data = req.body.data;
    } else if (req.body?.kind === 'multipart') {
      options.multipart = req.body.fields;
    }
    const url = new URL(req.url);
    const watch: Watch = {
      method: req.method,
      host: url.host,
      path: url.pathname + url.search,
      limit: req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      taken: false,
    };
    watches.add(watch);
    try {
      const res = await request.fetch(req.url, options);
      // Stopped after the last byte had come (a short body in one packet): still refused.
      if (watch.stopped) throw watch.stopped;
      // maxRedirects: 0 hands the redirect over instead of following it: a failure naming where it pointed.
      const location = redirectLocation(res.status(), res.headers().location);
      if (location) {
        await res.dispose();
        throw TransportError.redirect(req, res.status(), location);
      }
      const body = await res.body();
      // Bytes that came in the same packet as the headers are not counted above; the whole is, here.
      if (body.length > watch.limit) throw TransportError.tooLarge(req, res.status(), res.headers()['content-type']);
      const answer = { status: res.status(), headers: res.headers(), text: body.toString('utf8') };
      // The body stays in the context until it is disposed; a worker makes many requests.
      await res.dispose();
      return answer;
    } catch (err) {
      throw watch.stopped ?? TransportError.from(err, req);
    } finally {
      watches.delete(watch);
    }
  };
}
