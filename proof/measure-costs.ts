// npm run costs — what each part of the harness sends, counted by the target itself: the bundled
// target is started with a rate limit too high to reach (TARGET_RATE_LIMIT), and after each part one
// request reads what its X-RateLimit-Remaining says is left. Prints the measured figure beside the
// declared one (release/costs.ts, load/lib/settings.ts profileCost) and exits 1 when a declared cost is
// below what was measured, or more than a fifth above it: the plans npm start makes against a
// rate-limited target rest on these figures.
//   --generations documented,latest   --parts tests,load,monitor,explore,probe
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedAccount } from '../core/accounts.ts';
import { TemporalClient } from '../core/client.ts';
import { GENERATIONS, type Generation } from '../core/contract.ts';
import { detectGeneration } from '../core/generation.ts';
import { openInbox } from '../core/mail/index.ts';
import { startMailpit } from '../core/mail/mailpit-process.ts';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { runMain, SettingsError } from '../core/settings.ts';
import { textTable } from '../core/text-table.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { MONITOR_PASS_COSTS, PROBE_COSTS, smokeCost, TEST_COSTS } from '../release/costs.ts';
import { runExplore } from '../parts/explore.ts';
import { runLoad } from '../parts/load.ts';
import { runMonitor } from '../parts/monitor.ts';
import { runTests } from '../parts/tests.ts';
import type { PartResult } from '../parts/result.ts';
import { PROJECTS } from '../parts/tests.ts';

const UNREACHABLE = 10_000_000;
/** The explorer's budget measured: it must stop at it. */
const EXPLORE_BUDGET = 60;
/** A declared cost may be this much above the measured one (tests that wait for a mail retry its read, not the API). */
const SLACK = (measured: number) => Math.ceil(measured * 0.2) + 2;

interface Row {
  generation: Generation;
  part: string;
  declared: number;
  measured: number;
  ok: boolean;
  note?: string;
}

/** Requests the target has counted so far for this client (one more for the look itself). */
async function counted(api: TemporalClient): Promise<number> {
  await api.tokenUsername(undefined);
  const r = api.rateLimit;
  if (r?.limit === undefined || r.remaining === undefined)
    throw new Error('the target announced no rate limit: TARGET_RATE_LIMIT did not reach it');
  return r.limit - r.remaining;
}

const COSTS_PROGRAM = {
  command: 'npm run costs',
  summary:
    "counts the requests each part sends (the bundled target's own counter) and holds them to the declared costs the release " +
    'check plans with (release/costs.ts)',
  usage: ['[-- --generations documented,latest] [--parts probe,tests,load,monitor,explore]'],
  options: {
    generations: { type: 'string', value: 'a,b', description: 'the generations to measure (default: both)' },
    parts: { type: 'string', value: 'a,b', description: 'the parts to measure (default: probe, tests, load, monitor, explore)' },
  },
  exits: '0 every declared cost holds, 1 one is off (the table says which), 2 bad command line',
  examples: ['npm run costs', 'npm run costs -- --generations latest --parts monitor,load'],
} satisfies ProgramInfo;

await runMain(async () => {
  const { values } = parseCommandLine(COSTS_PROGRAM, process.argv.slice(2));
  const generations = (values.generations?.split(',') ?? [...GENERATIONS]) as Generation[];
  const parts = values.parts?.split(',') ?? ['probe', 'tests', 'load', 'monitor', 'explore'];
  const bad = generations.filter((g) => !(GENERATIONS as readonly string[]).includes(g));
  if (bad.length) throw new SettingsError([`--generations: expected documented, latest (got ${bad.join(',')})`]);
  const rows: Row[] = [];
  const work = mkdtempSync(join(tmpdir(), 'hx-costs-'));
  const mail = generations.includes('latest') ? await startMailpit() : undefined;
  try {
    for (const generation of generations) {
      const key = randomBytes(24).toString('hex');
      const target = await spawnTarget({
        TARGET_RATE_LIMIT: String(UNREACHABLE),
        TARGET_JWT_KEY: key,
        TARGET_GENERATION: generation,
        TARGET_SMTP_URL: generation === 'latest' ? mail!.smtpUrl : '',
      });
      const api = new TemporalClient({ baseUrl: target.url, timeoutMs: 10_000 });
      const env = {
        TARGET_URL: target.url,
        TARGET_GENERATION: generation,
        TARGET_JWT_KEY: key,
        MAIL_INBOX_URL: generation === 'latest' ? mail!.inboxUrl : '',
        MAIL_WAIT_S: '10',
        TARGET_FAULTS: '',
        LOG_LEVEL: 'warn',
        MONITOR_DB: join(work, `${generation}-monitor.db`),
      };
      const dir = (name: string) => mkdtempSync(join(work, `${generation}-${name}-`));
      let last = await counted(api);
      /** Runs `what` and returns the requests it cost (the look after it not included). */
      const measure = async (what: () => Promise<unknown>): Promise<number> => {
        await what();
        const now = await counted(api);
        const used = now - last - 1;
        last = now;
        return used;
      };
      const row = (part: string, declared: number, measured: number, note?: string) => {
        const ok = declared >= measured && declared <= measured + SLACK(measured);
        rows.push({ generation, part, declared, measured, ok, note });
        process.stdout.write(
          `${ok ? '✔' : '✖'} ${generation} ${part}: declared ${declared}, measured ${measured}${note ? ` (${note})` : ''}\n`,
        );
      };
      const failed = (r: PartResult) => (r.ok ? undefined : `the part failed: ${r.failures[0]?.title ?? r.name}`);
      if (parts.includes('probe')) {
        const inbox = generation === 'latest' ? openInbox(mail!.inboxUrl, 10_000) : undefined;
        const account = namedAccount('test', `costs${randomBytes(3).toString('hex')}-probe`, `Probe-${randomBytes(12).toString('hex')}`);
        const n = await measure(() => detectGeneration(api, { account, inbox, mailWaitMs: 10_000 }));
        await inbox?.close();
        row('generation probe', PROBE_COSTS[generation], n);
      }
      if (parts.includes('tests'))
        for (const project of PROJECTS) {
          let r: PartResult | undefined;
          const n = await measure(async () => {
            r = await runTests({ env, reportsDir: dir(project), projects: [project], workers: 1 });
          });
          row(`playwright ${project}`, TEST_COSTS[project]![generation], n, failed(r!));
        }
      if (parts.includes('load'))
        for (const script of ['login', 'credits'] as const) {
          let r: PartResult | undefined;
          const n = await measure(async () => {
            r = await runLoad({ env, reportsDir: dir(script), script });
          });
          row(`k6 ${script} smoke`, smokeCost(script, generation), n, failed(r!));
        }
      if (parts.includes('monitor'))
        for (const pass of ['first', 'later'] as const) {
          let r: PartResult | undefined;
          const n = await measure(async () => {
            r = await runMonitor({ env, reportsDir: dir('monitor') });
          });
          row(`monitor pass (${pass})`, MONITOR_PASS_COSTS[pass][generation], n, failed(r!));
        }
      if (parts.includes('explore')) {
        const n = await measure(() => runExplore({ env, reportsDir: dir('explore'), seconds: 60, requests: EXPLORE_BUDGET, seed: 7 }));
        // Its cost is its budget: it must stop there (the probe's requests are in it).
        rows.push({ generation, part: 'explore (EXPLORE_REQUESTS)', declared: EXPLORE_BUDGET, measured: n, ok: n <= EXPLORE_BUDGET });
        process.stdout.write(`${n <= EXPLORE_BUDGET ? '✔' : '✖'} ${generation} explore: budget ${EXPLORE_BUDGET}, measured ${n}\n`);
      }
      await target.close();
    }
  } finally {
    await mail?.close();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\n${textTable(
      ['generation', 'part', 'declared', 'measured', 'verdict'],
      rows.map((r) => [
        r.generation,
        r.part,
        String(r.declared),
        String(r.measured),
        r.ok ? 'honest' : r.declared < r.measured ? 'TOO LOW' : 'TOO HIGH',
      ]),
      { rightFrom: 2 },
    )}\n`,
  );
  const wrong = rows.filter((r) => !r.ok);
  if (wrong.length)
    process.stdout.write(
      `${wrong.length} declared cost(s) do not match what was measured: fix release/costs.ts (or the profile in load/lib/settings.ts)\n`,
    );
  return wrong.length ? 1 : 0;
});
