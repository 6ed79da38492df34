// `npm run target`: the reference target as a process. Prints its URL when ready.
//   --faults name,name:param   same as TARGET_FAULTS
//   --list-faults [--markdown]  print the catalog (as a Markdown table, docs/faults.md's) and exit
import { bundledGeneration } from '../core/generation.ts';
import { createLogger } from '../core/logger.ts';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { runMain, SettingsError } from '../core/settings.ts';
import { FAULTS, faultOnly, faultsMarkdown, parseFaults, type FaultEntry } from './faults.ts';
import { startTarget } from './server.ts';
import { faultGenerationProblems, faultTlsProblems, loadTargetSettings, targetSettings } from './settings.ts';
import { openTargetCa, type TargetCa } from './tls.ts';

/** Why the target could not start, as a sentence naming the setting to change. */
function startProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  if (err.code === 'EADDRINUSE')
    return `TARGET_PORT: port ${port} on ${host} is already in use (another target running?); choose another, or 0 for any free port`;
  if (err.code === 'EACCES') return `TARGET_PORT: not allowed to listen on port ${port} (ports below 1024 need privileges); choose another`;
  if (err.code === 'EADDRNOTAVAIL') return `TARGET_HOST: ${host} is not an address of this machine`;
  return `TARGET_DB: cannot open the target's database (${(err.message ?? String(err)).split('\n')[0]})`;
}

const TARGET_PROGRAM = {
  command: 'npm run target',
  summary: 'the bundled reference target (a test double of the API with a fault catalog) as a process; prints its URL when ready',
  usage: ['[-- --faults <name,name:param>]', '-- --list-faults [--markdown]'],
  options: {
    faults: { type: 'string', value: 'name,name:param', description: 'faults to inject, as TARGET_FAULTS' },
    'list-faults': { type: 'boolean', description: 'print the fault catalog and exit' },
    markdown: { type: 'boolean', description: 'with --list-faults: as a Markdown table' },
  },
  settings: targetSettings,
  exits: '0 stopped by SIGINT/SIGTERM, 2 bad settings or command line (a port in use included)',
  examples: [
    'npm run target',
    'npm run target -- --faults token-1h,latency:2500',
    'TARGET_GENERATION=latest npm run target',
    'npm run target -- --list-faults',
  ],
} satisfies ProgramInfo;

await runMain(async () => {
  const { values } = parseCommandLine(TARGET_PROGRAM, process.argv.slice(2));
  if (values['list-faults'] && values.markdown) {
    console.log(faultsMarkdown());
    return 0;
  }
  if (values['list-faults']) {
    for (const [name, e] of Object.entries(FAULTS) as [string, FaultEntry][])
      console.log(
        `${name.padEnd(28)} [${e.caughtBy.join(', ')}]${e.param ? ` (param: ${e.param.name}, default ${e.param.default})` : ''}\n` +
          `    ${e.summary}${faultOnly(e)}`,
      );
    return 0;
  }
  const s = loadTargetSettings();
  const faults = values.faults ?? s.TARGET_FAULTS ?? '';
  if (values.faults) {
    try {
      parseFaults(values.faults);
    } catch (err) {
      throw new SettingsError([`--faults: ${(err as Error).message}`]);
    }
    const problems = [
      ...faultGenerationProblems(values.faults, bundledGeneration(s.TARGET_GENERATION)),
      ...faultTlsProblems(values.faults, s.TARGET_TLS),
    ];
    if (problems.length) throw new SettingsError(problems.map((p) => p.replace(/^TARGET_FAULTS/, '--faults')));
  }
  const logger = createLogger({ level: s.LOG_LEVEL, format: s.LOG_FORMAT, name: 'target' });
  // TARGET_TLS=true: a CA made for this run (or the one TARGET_TLS_DIR holds), removed when it stops.
  let ca: TargetCa | undefined;
  try {
    ca = s.TARGET_TLS ? openTargetCa(s.TARGET_TLS_DIR) : undefined;
  } catch (err) {
    throw new SettingsError([`TARGET_TLS: could not make the target's CA and certificate (${(err as Error).message.split('\n')[0]})`]);
  }
  let target: Awaited<ReturnType<typeof startTarget>>;
  try {
    target = await startTarget({
      port: s.TARGET_PORT,
      host: s.TARGET_HOST,
      dbPath: s.TARGET_DB,
      faults,
      tokenLifetimeS: s.TARGET_TOKEN_LIFETIME_S,
      maxRefreshS: s.TARGET_MAX_REFRESH_S,
      jwtKey: s.TARGET_JWT_KEY,
      realm: s.TARGET_REALM,
      bcryptCost: s.TARGET_BCRYPT_COST,
      generation: bundledGeneration(s.TARGET_GENERATION),
      smtpUrl: s.TARGET_SMTP_URL,
      rateLimit: s.TARGET_RATE_LIMIT,
      logger,
      tls: ca,
    });
  } catch (err) {
    ca?.close();
    throw new SettingsError([startProblem(err as NodeJS.ErrnoException, s.TARGET_HOST, s.TARGET_PORT)]);
  }
  // The line scripts and Playwright's webServer wait for; with TLS, the CA file to trust (TARGET_CA_FILE).
  console.log(
    `reference target listening on ${target.url} (generation: ${target.generation}; faults: ${target.faults.list().join(',') || 'none'}` +
      `${s.TARGET_RATE_LIMIT ? `; rate limit ${s.TARGET_RATE_LIMIT} requests per hour per client` : ''}` +
      `${target.caFile ? `; CA certificate ${target.caFile}` : ''})`,
  );
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  await target.close();
  ca?.close();
  return 0;
});
