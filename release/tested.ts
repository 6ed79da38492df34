// What a release check tested, recorded with its verdict: the version the team says it is
// (TARGET_VERSION), the version the target itself answers (GET /v2/systems/check, the real server's
// `{"version": …, "response": "systems online"}`; the contract does not have it, so a target without it
// is only noted), and the harness's own commit (with "+ changes" when the checkout differs from it).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { TemporalClient } from '../core/client.ts';
import { TransportError } from '../core/http.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const VERSION_PATH = '/v2/systems/check';

export interface Tested {
  /** TARGET_VERSION, as given. */
  targetVersion?: string;
  /** The target's own answer, or why there is none. */
  served: { version: string } | { none: string };
  /** The harness's commit (short), and whether the checkout has changes to tracked files. */
  harness?: { commit: string; changed: boolean };
}

/** One line of plain text: printable, at most 80 characters (a version is not a place for a story). */
const plain = (v: string): string => v.replace(/[^\x20-\x7e]/g, '').slice(0, 80);

/** The harness's commit, read without touching the checkout (no index refresh: --no-optional-locks). */
export function harnessCommit(cwd = ROOT): Tested['harness'] {
  const git = (args: string[]) => execaSync('git', ['--no-optional-locks', ...args], { cwd, reject: false });
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  if (head.exitCode !== 0 || !head.stdout) return undefined;
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { commit: head.stdout.trim(), changed: status.exitCode === 0 && status.stdout.trim() !== '' };
}

/** What is tested: asks the target once for its version (TARGET_URL), nothing for the bundled one. */
export async function whatIsTested(o: {
  targetUrl?: string;
  targetVersion?: string;
  timeoutMs: number;
  maxBodyBytes: number;
}): Promise<Tested> {
  let served: Tested['served'];
  if (!o.targetUrl) served = { none: 'the bundled reference target, as of the harness below' };
  else
    try {
      const r = await new TemporalClient({ baseUrl: o.targetUrl, timeoutMs: o.timeoutMs, maxBodyBytes: o.maxBodyBytes }).raw(
        'GET',
        VERSION_PATH,
      );
      const version = (r.body as { version?: unknown } | undefined)?.version;
      served =
        r.status === 200 && typeof version === 'string' && plain(version)
          ? { version: plain(version) }
          : { none: `GET ${VERSION_PATH} answered ${r.status}${r.status === 200 ? ' without a version' : ''}` };
    } catch (err) {
      served = { none: `GET ${VERSION_PATH}: ${err instanceof TransportError ? TransportError.words[err.kind] : (err as Error).message}` };
    }
  return { targetVersion: o.targetVersion ? plain(o.targetVersion) : undefined, served, harness: harnessCommit() };
}

/** "target version 1.4.2 (TARGET_VERSION) · it answers version v2.4.1 (GET /v2/systems/check) · harness 2f83f26a1b2c" */
export function testedText(t: Tested): string {
  return [
    t.targetVersion ? `target version ${t.targetVersion} (TARGET_VERSION)` : 'TARGET_VERSION not set',
    'version' in t.served
      ? `it answers version ${t.served.version} (GET ${VERSION_PATH})`
      : t.served.none.startsWith('the bundled')
        ? t.served.none
        : `no version from the target (${t.served.none})`,
    t.harness
      ? `harness ${t.harness.commit}${t.harness.changed ? ' + uncommitted changes' : ''}`
      : 'harness commit unknown (not a git checkout)',
  ].join(' · ');
}
