// Set-up's tools (scripts/setup.sh runs it; `npx tsx scripts/ensure-tools.ts k6` alone): makes sure
// the pinned Go-built tools are here (installing them with Go when missing), and the Kubernetes
// schemas kubeconform reads (scripts/lib/kube-schemas.ts), and prints `name path` per tool; asked for
// one tool, its path only. Exit 3 when one cannot be had (with the other ways to get it).
import { ensureTool, GO_TOOLS, type GoToolName, ToolNotFound } from '../core/go-tools.ts';
import { parseCommandLine } from '../core/cli.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { ensureKubeSchemas } from './lib/kube-schemas.ts';

const settingsShape = { K6_BIN: setting.input().optional() };

await runMain(async () => {
  const { positionals: asked } = parseCommandLine(
    {
      command: 'npx tsx scripts/ensure-tools.ts',
      summary: 'makes sure the pinned Go-built tools are here (installs them with Go when missing) and prints where each is',
      usage: [`[<${Object.keys(GO_TOOLS).join('|')}>...]`],
      positionals: true,
      settings: settingsShape,
      exits: '0 every tool asked for is here, 2 an unknown tool, 3 one cannot be had (the other ways to get it are printed)',
      examples: ['npx tsx scripts/ensure-tools.ts', 'npx tsx scripts/ensure-tools.ts k6   # k6 alone: its path'],
    },
    process.argv.slice(2),
  );
  const s = loadSettings(settingsShape);
  const unknown = asked.filter((a) => !(a in GO_TOOLS));
  if (unknown.length) {
    process.stderr.write(`unknown tool ${unknown.join(', ')} (known: ${Object.keys(GO_TOOLS).join(', ')})\n`);
    return 2;
  }
  const names = (asked.length ? asked : Object.keys(GO_TOOLS)) as GoToolName[];
  const userBin: Partial<Record<GoToolName, string>> = { k6: s.K6_BIN };
  let failed = false;
  for (const name of names) {
    try {
      const path = await ensureTool(name, userBin[name]);
      process.stdout.write(names.length === 1 ? `${path}\n` : `${name} ${path}\n`);
    } catch (err) {
      if (!(err instanceof ToolNotFound)) throw err;
      process.stderr.write(`${err.message}\n`);
      failed = true;
    }
  }
  if (!asked.length)
    try {
      process.stdout.write(`kubernetes-schemas ${ensureKubeSchemas()}\n`);
    } catch (err) {
      if (!(err instanceof ToolNotFound)) throw err;
      process.stderr.write(`${err.message}\n`);
      failed = true;
    }
  return failed ? 3 : 0;
});
