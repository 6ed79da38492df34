// A fake target whose knee is known exactly, for the capacity search's real-k6 self-test: it answers
// register, login and credits as the API does (just enough for the k6 scripts and their checks), at
// once while credits is asked at most `kneePerS` times in the last second, and after `slowMs` past
// that (an overloaded server is slow for everyone). A constant arrival rate at or under the knee
// therefore holds any p95 SLO under `slowMs`; any rate over it breaks it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PATHS } from '../../core/contract.ts';

export interface KneeTarget {
  url: string;
  /** Requests to credits so far. */
  credits(): number;
  close(): Promise<void>;
}

// A token of the shape the login checks want: a JWT whose exp is the `expire` answered, 24 h ahead.
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function loginAnswer(): string {
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  const token = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp, id: 'knee' })}.${'s'.repeat(43)}`;
  return JSON.stringify({ code: 200, expire: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), token });
}

export async function startKneeTarget(kneePerS: number, slowMs: number): Promise<KneeTarget> {
  const arrivals: number[] = [];
  let credits = 0;
  const server = createServer((req, res) => {
    const json = (body: string) => res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
    req.resume();
    const path = req.url?.split('?')[0];
    if (path === API_PATHS.register) return json('{"code":200,"response":"account registered"}');
    if (path === API_PATHS.login) return json(loginAnswer());
    if (path !== API_PATHS.creditsAvailable) return res.writeHead(404).end();
    credits++;
    const now = performance.now();
    arrivals.push(now);
    while (arrivals.length && arrivals[0]! < now - 1000) arrivals.shift();
    const answer = () => json('{"code":200,"response":0}');
    if (arrivals.length > kneePerS) setTimeout(answer, slowMs);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credits: () => credits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
