// npm run bench -- bounded — memory under an answer with no end: a loopback server answers
// every request with 200 and a JSON body it writes as fast as the client reads, forever. Measured:
// the peak RSS (GNU time's maximum resident set, the largest process of the run) and wall time of
//  1. `npm run monitor -- --once` against it (the CronJob's limit is 256 Mi);
//  2. `npx playwright test --project=smoke` against it (the worker holds Playwright's buffers);
// each at HTTP_MAX_BODY_BYTES' default (1 MiB) and, for comparison, at 64 MiB, and against a clean
// reference target (the baseline). Against the endless body both must fail cleanly, saying the
// answer was cut. Figures are printed side by side; nothing is asserted.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCommandLine } from '../core/cli.ts';
import { textTable } from '../core/text-table.ts';
import { spawnTarget } from '../reference/spawn.ts';

readCommandLine({
  command: 'npm run bench -- bounded',
  summary: 'memory under an answer with no end: the peak RSS of a monitor pass and of the smoke tests against an endless body',
  usage: [''],
  examples: ['npm run bench -- bounded'],
  notes: ['A benchmark: figures printed side by side, nothing asserted.'],
});

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"code":200,"response":"');
  const pump = () => {
    while (!res.destroyed && res.write(CHUNK));
  };
  res.on('drain', pump);
  res.on('error', () => {});
  pump();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const dir = mkdtempSync(join(tmpdir(), 'hx-bench-bounded-'));

interface Figure {
  what: string;
  limit: string;
  code: number;
  seconds: number;
  peakMiB: number;
  cut: boolean;
  output: string;
}

async function measure(what: string, limit: string, cmd: string[], env: Record<string, string>): Promise<Figure> {
  const t0 = performance.now();
  // GNU time prints the largest process's peak RSS (KiB) last on stderr.
  const r = await execa('/usr/bin/time', ['-f', 'PEAK_KIB=%M', ...cmd], { env, reject: false, maxBuffer: 64 * 1024 * 1024 });
  const kib = Number(/PEAK_KIB=(\d+)/.exec(r.stderr)?.[1] ?? 0);
  return {
    what,
    limit,
    code: r.exitCode ?? 1,
    seconds: (performance.now() - t0) / 1000,
    peakMiB: kib / 1024,
    cut: /the answer was cut at/.test(r.stdout + r.stderr),
    output: r.stdout + r.stderr,
  };
}

const clean = await spawnTarget();
const base = { TARGET_URL: url, TARGET_FAULTS: '', LOG_LEVEL: 'warn', MONITOR_RETRIES: '0', HTTP_TIMEOUT_MS: '20000' };
const figures: Figure[] = [];
try {
  for (const [label, bytes, target] of [
    ['1 MiB (default)', '', url],
    ['64 MiB', String(64 * 1024 * 1024), url],
    ['1 MiB, clean target', '', clean.url],
  ] as const) {
    figures.push(
      await measure('npm run monitor -- --once', label, [process.execPath, '--import', 'tsx', 'monitors/main.ts', '--once'], {
        ...base,
        TARGET_URL: target,
        HTTP_MAX_BODY_BYTES: bytes,
        MONITOR_DB: join(dir, `monitor-${bytes || 'default'}.db`),
        REPORTS_DIR: join(dir, 'reports'),
      }),
    );
    figures.push(
      await measure(
        'playwright test --project=smoke',
        label,
        ['npx', 'playwright', 'test', '--project=smoke', '--reporter=line', '--workers=1'],
        {
          ...base,
          TARGET_URL: target,
          HTTP_MAX_BODY_BYTES: bytes,
          REPORTS_DIR: join(dir, 'reports'),
          CI: 'false',
        },
      ),
    );
  }
} finally {
  await clean.close();
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
const rows = figures.map((f) => [
  f.what,
  f.limit,
  `${f.peakMiB.toFixed(0)} MiB`,
  `${f.seconds.toFixed(1)} s`,
  `exit ${f.code}`,
  f.cut ? 'says "the answer was cut at …"' : '',
]);
process.stdout.write(`${textTable(['run', 'HTTP_MAX_BODY_BYTES', 'peak RSS', 'wall', 'exit', 'message'], rows)}\n`);
for (const f of figures.filter((x) => x.limit.includes('clean') && x.code !== 0))
  process.stdout.write(`\n${f.what} failed on the clean target:\n${f.output.slice(-3000)}\n`);
