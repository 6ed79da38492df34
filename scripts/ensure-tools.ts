// `npm run tools` (and set-up): makes sure the pinned Go-built tools are here (installing them with Go
// when missing), and the Kubernetes schemas kubeconform reads (scripts/lib/kube-schemas.ts), and
// prints `name path` per tool. `npm run k6:install` asks for k6 alone and prints its
// path. Exit 3 when one cannot be had (with the other ways to get it).
import { ensureTool, GO_TOOLS, type GoToolName, ToolNotFound } from '../core/go-tools.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { ensureKubeSchemas } from './lib/kube-schemas.ts';

await runMain(async () => {
  const s = loadSettings({ K6_BIN: setting.input().optional() });
  const asked = process.argv.slice(2);
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
