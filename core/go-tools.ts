// The real programs the harness drives that are built with Go (none is on npm; Debian has none of
// these versions): k6 and Mailpit at run time, actionlint and kubeconform for the project's own
// checks. Each is pinned. Order of the search: the tool's *_BIN setting if given, the name on PATH if
// its version matches, $(go env GOPATH)/bin (or $HOME/go/bin when go is not on PATH), else
// `go install <module>@<version>` (said on stderr; k6 takes about two minutes, the others less).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { SettingsError } from './settings.ts';

export interface GoTool {
  /** The binary's name. */
  name: string;
  /** What `go install` builds. */
  pkg: string;
  version: string;
  /** The setting that points at a binary of the user's own, if the tool has one. */
  binSetting?: string;
  /** Other ways to get it, for the message when Go cannot build it. */
  otherWays: string[];
}

export const GO_TOOLS = {
  // The v1 line on purpose: v2 moved its module path to go.k6.io/k6/v2.
  k6: {
    name: 'k6',
    pkg: 'go.k6.io/k6',
    version: 'v1.8.1',
    binSetting: 'K6_BIN',
    otherWays: [
      "Debian/Ubuntu: Grafana's apt repository (https://dl.k6.io/deb), `apt-get install k6`",
      'macOS: `brew install k6`',
      'Docker: `docker run --rm -i --network host -v "$PWD:/work" -w /work grafana/k6:1.8.1 run load/login.ts`',
      'release binaries: https://github.com/grafana/k6/releases/tag/v1.8.1',
    ],
  },
  mailpit: {
    name: 'mailpit',
    pkg: 'github.com/axllent/mailpit',
    version: 'v1.33.1',
    otherWays: [
      'Docker: `docker run -p 8025:8025 -p 1025:1025 axllent/mailpit:v1.33.1`',
      'release binaries: https://github.com/axllent/mailpit/releases',
    ],
  },
  actionlint: {
    name: 'actionlint',
    pkg: 'github.com/rhysd/actionlint/cmd/actionlint',
    version: 'v1.7.12',
    otherWays: ['release binaries: https://github.com/rhysd/actionlint/releases'],
  },
  kubeconform: {
    name: 'kubeconform',
    pkg: 'github.com/yannh/kubeconform/cmd/kubeconform',
    version: 'v0.8.0',
    otherWays: ['release binaries: https://github.com/yannh/kubeconform/releases'],
  },
} as const satisfies Record<string, GoTool>;

export type GoToolName = keyof typeof GO_TOOLS;

export class ToolNotFound extends Error {
  override name = 'ToolNotFound';
}

/** A short command's exit code and output (never throws: a command that is missing has no status 0). */
const run = (cmd: string, args: string[], timeout = 30_000) => {
  const r = execaSync(cmd, args, { timeout, reject: false, stdin: 'ignore' });
  return { status: r.exitCode, stdout: r.stdout, error: r.failed && r.exitCode === undefined };
};

/** The module version a Go binary was built from (`go version -m`), or what the tool says of itself. */
export function toolVersion(bin: string): string | undefined {
  const m = run('go', ['version', '-m', bin]);
  if (m.status === 0) {
    // "\tmod\tgo.k6.io/k6\tv1.8.1\th1:..." — the main module's line.
    const v = /^\s*mod\s+\S+\s+(v\S+)/m.exec(m.stdout)?.[1];
    if (v) return v;
  }
  // No go on PATH (k6 from apt or brew): ask the tool. k6 prints "k6 v1.8.1 (...)".
  const self = run(bin, ['version']);
  if (self.status !== 0) return undefined;
  return /\bv\d+\.\d+\.\d+\b/.exec(self.stdout)?.[0];
}

function goBinDir(): string | undefined {
  const r = run('go', ['env', 'GOPATH']);
  if (r.status !== 0 || r.error) return undefined;
  const gopath = r.stdout.trim().split(':')[0];
  return gopath ? join(gopath, 'bin') : undefined;
}

/** The path of the pinned tool, without installing. A *_BIN that does not run is a bad setting. */
export function findTool(name: GoToolName, userBin?: string): string | undefined {
  const tool: GoTool = GO_TOOLS[name];
  if (userBin) {
    const v = toolVersion(userBin);
    if (!v) throw new SettingsError([`${tool.binSetting}: the file given does not run as ${tool.name}`]);
    if (v !== tool.version)
      process.stderr.write(`warning: ${tool.binSetting} is ${tool.name} ${v}; the harness is pinned to ${tool.version}\n`);
    return userBin;
  }
  const onPath = run('sh', ['-c', `command -v ${tool.name}`]).stdout.trim();
  const dir = goBinDir();
  // Go's bin dir, and Go's default one ($HOME/go/bin) for when go itself is not on PATH.
  for (const candidate of [onPath, dir && join(dir, tool.name), join(homedir(), 'go', 'bin', tool.name)])
    if (candidate && existsSync(candidate) && toolVersion(candidate) === tool.version) return candidate;
  return undefined;
}

function otherWays(tool: GoTool): string {
  const then = tool.binSetting ? `then set ${tool.binSetting} to its path, or put it on PATH` : 'then put it on PATH';
  return [`Other ways to install ${tool.name} ${tool.version} (${then}):`, ...tool.otherWays.map((w) => `  - ${w}`)].join('\n');
}

/** `go install <pkg>@<version>`; resolves to the installed binary's path. */
async function goInstall(tool: GoTool): Promise<string> {
  const dir = goBinDir();
  if (!dir)
    throw new ToolNotFound(`${tool.name} ${tool.version} is not installed and Go is not available to build it.\n${otherWays(tool)}`);
  const what = `go install ${tool.pkg}@${tool.version}`;
  process.stderr.write(`${tool.name} ${tool.version} not found: installing it with \`${what}\`...\n`);
  const { exitCode } = await execa('go', ['install', `${tool.pkg}@${tool.version}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    reject: false,
  });
  const code = exitCode ?? -1;
  const bin = join(dir, tool.name);
  if (code !== 0 || toolVersion(bin) !== tool.version) throw new ToolNotFound(`\`${what}\` failed (exit ${code}).\n${otherWays(tool)}`);
  process.stderr.write(`installed ${tool.name} ${tool.version} at ${bin}\n`);
  return bin;
}

/** The pinned tool, installing it with Go when it is missing. */
export async function ensureTool(name: GoToolName, userBin?: string): Promise<string> {
  return findTool(name, userBin) ?? (await goInstall(GO_TOOLS[name]));
}
