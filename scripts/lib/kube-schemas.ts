// The Kubernetes JSON schemas kubeconform validates deploy/ against, offline. kubeconform downloads
// them from GitHub by default, which this machine and CI cannot reach. PyPI's `kubernetes-validate`
// (pinned) ships them, generated from Kubernetes' own OpenAPI document, in the layout kubeconform
// reads (<version>-local-strict/<kind>-<group>-<version>.json, refs into _definitions.json). pip
// fetches the wheel; only the folder for KUBERNETES_VERSION is unpacked, under node_modules/.cache.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execaSync } from 'execa';
import { ToolNotFound } from '../../core/go-tools.ts';

export const KUBE_SCHEMAS = { pkg: 'kubernetes-validate', version: '1.37.0', kubernetesVersion: '1.37.0' } as const;

const root = resolve('node_modules', '.cache', 'kubernetes-json-schema', `${KUBE_SCHEMAS.pkg}-${KUBE_SCHEMAS.version}`);
const folder = `v${KUBE_SCHEMAS.kubernetesVersion}-local-strict`;

/** kubeconform's -schema-location for these schemas (with -strict and -kubernetes-version). */
export const schemaLocation = (dir = root): string =>
  `${dir}/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;

// The package resolves its references through a registry keyed by $id (https://kubernetes.io/api/...);
// kubeconform would fetch those URLs. Dropping $id and making the refs relative
// ("_definitions.json#/$defs/...") has them resolve to the file beside each schema.
const UNPACK = `
import json, os, sys, zipfile
wheel, prefix, dest = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith('.json')]
    for n in names:
        doc = json.loads(z.read(n).decode('utf-8').replace('"/api/_definitions.json#', '"_definitions.json#'))
        doc.pop('$id', None)
        out = os.path.join(dest, n[len(prefix):])
        with open(out, 'w') as f:
            json.dump(doc, f)
print(len(names))
`;

/** The schemas' folder, fetching them with pip when missing (said on stderr). */
export function ensureKubeSchemas(): string {
  if (existsSync(join(root, folder, '_definitions.json'))) return root;
  const what = `${KUBE_SCHEMAS.pkg}==${KUBE_SCHEMAS.version}`;
  process.stderr.write(`Kubernetes ${KUBE_SCHEMAS.kubernetesVersion} JSON schemas not found: fetching ${what} from PyPI with pip...\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'hx-kube-schemas-'));
  try {
    const pip = execaSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', tmp, what], {
      timeout: 300_000,
      reject: false,
    });
    if (pip.exitCode !== 0)
      throw new ToolNotFound(
        `\`python3 -m pip download ${what}\` failed (${pip.timedOut ? 'timed out' : (pip.code ?? `exit ${pip.exitCode}`)}): ` +
          `${pip.stderr.trim()}`,
      );
    const wheel = join(tmp, `${KUBE_SCHEMAS.pkg.replace(/-/g, '_')}-${KUBE_SCHEMAS.version}-py3-none-any.whl`);
    const prefix = `kubernetes_validate/kubernetes-json-schema/${folder}/`;
    const out = join(tmp, 'out');
    mkdirSync(out);
    const unpack = execaSync('python3', ['-c', UNPACK, wheel, prefix, out], { timeout: 120_000, reject: false });
    if (unpack.exitCode !== 0 || Number(unpack.stdout.trim()) < 100)
      throw new ToolNotFound(`unpacking ${wheel} failed: ${unpack.stderr.trim()}`);
    mkdirSync(root, { recursive: true });
    rmSync(join(root, folder), { recursive: true, force: true });
    renameSync(out, join(root, folder));
    process.stderr.write(`installed the Kubernetes schemas at ${join(root, folder)}\n`);
    return root;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
