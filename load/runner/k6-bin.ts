// Finds the pinned k6 binary, or installs it with the machine's Go. k6 is on neither npm nor
// Debian; the v1 line is pinned on purpose (v2 moved its module path to go.k6.io/k6/v2).
// Order: K6_BIN if set, `k6` on PATH if its version matches, $(go env GOPATH)/bin/k6 if it
// matches (or $HOME/go/bin/k6 when go is not on PATH), else `go install go.k6.io/k6@<version>` (about two minutes; said on stderr).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '../../core/settings.ts';

export const K6_VERSION = 'v1.8.1';
const K6_MODULE = 'go.k6.io/k6';

const OTHER_WAYS = [
  'Other ways to install k6 (then set K6_BIN to its path, or put it on PATH):',
  "  - Debian/Ubuntu: Grafana's apt repository (https://dl.k6.io/deb), `apt-get install k6`",
  '  - macOS: `brew install k6`',
  `  - Docker: \`docker run --rm -i --network host -v "$PWD:/work" -w /work grafana/k6:${K6_VERSION.slice(1)} run load/login.ts\``,
  `  - release binaries: https://github.com/grafana/k6/releases/tag/${K6_VERSION}`,
  `  - with Go: \`go install ${K6_MODULE}@${K6_VERSION}\` (the binary lands in $(go env GOPATH)/bin)`,
].join('\n');

export class K6NotFound extends Error {
  override name = 'K6NotFound';
}

/** The version `bin` reports ("v1.8.1"), or undefined when it does not run. */
export function k6Version(bin: string): string | undefined {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) return undefined;
  return /\bk6 (v\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
}

function goBinDir(): string | undefined {
  const r = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0 || r.error) return undefined;
  const gopath = r.stdout.trim().split(':')[0];
  return gopath ? join(gopath, 'bin') : undefined;
}

/** The path of a k6 of the pinned version, without installing. A K6_BIN that is not k6 is a bad setting. */
export function findK6(k6Bin?: string): string | undefined {
  if (k6Bin) {
    const v = k6Version(k6Bin);
    if (!v) throw new SettingsError([`K6_BIN: '${k6Bin}' does not run as k6 (\`${k6Bin} version\` failed)`]);
    if (v !== K6_VERSION) process.stderr.write(`warning: K6_BIN is k6 ${v}; the scripts are pinned to ${K6_VERSION}\n`);
    return k6Bin;
  }
  if (k6Version('k6') === K6_VERSION) return 'k6';
  // Go's bin dir, and Go's default one ($HOME/go/bin) for when go itself is not on PATH.
  const dir = goBinDir();
  for (const candidate of [dir && join(dir, 'k6'), join(homedir(), 'go', 'bin', 'k6')])
    if (candidate && existsSync(candidate) && k6Version(candidate) === K6_VERSION) return candidate;
  return undefined;
}

/** Runs `go install` for the pinned version; resolves to the installed binary's path. */
async function goInstall(): Promise<string> {
  const dir = goBinDir();
  if (!dir) throw new K6NotFound(`k6 ${K6_VERSION} is not installed and Go is not available to build it.\n${OTHER_WAYS}`);
  process.stderr.write(
    `k6 ${K6_VERSION} not found: installing it with \`go install ${K6_MODULE}@${K6_VERSION}\` (takes about 2 minutes)...\n`,
  );
  const code = await new Promise<number>((resolve) => {
    const child = spawn('go', ['install', `${K6_MODULE}@${K6_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => resolve(-1));
    child.on('exit', (c) => resolve(c ?? -1));
  });
  const bin = join(dir, 'k6');
  if (code !== 0 || k6Version(bin) !== K6_VERSION)
    throw new K6NotFound(`\`go install ${K6_MODULE}@${K6_VERSION}\` failed (exit ${code}).\n${OTHER_WAYS}`);
  process.stderr.write(`installed k6 ${K6_VERSION} at ${bin}\n`);
  return bin;
}

/** The pinned k6, installing it with Go when it is missing. */
export async function ensureK6(k6Bin?: string): Promise<string> {
  return findK6(k6Bin) ?? (await goInstall());
}
