// Transport over Playwright's APIRequestContext (the `request` fixture), so each call shows up in
// traces and reports like any Playwright request.
import type { APIRequestContext } from '@playwright/test';
import { TransportError, type Transport } from './http.ts';

export function playwrightTransport(request: APIRequestContext): Transport {
  return async (req) => {
    const headers = { ...req.headers };
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
    try {
      const res = await request.fetch(req.url, options);
      return { status: res.status(), headers: res.headers(), text: await res.text() };
    } catch (err) {
      throw TransportError.from(err, req);
    }
  };
}
