// The Kubernetes manifests in deploy/, checked by the real kubeconform (pinned) in strict mode
// against the Kubernetes 1.37 JSON schemas, offline (scripts/lib/kube-schemas.ts: PyPI's
// kubernetes-validate). The k6-operator's TestRun is a custom resource whose schema ships with the
// operator, not with Kubernetes: it is the one resource skipped. The Prometheus and Alertmanager
// configurations beside them are not Kubernetes objects: promtool and amtool check those
// (npm run test:rules).
import { execa } from 'execa';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureTool } from '../../core/go-tools.ts';
import { ensureKubeSchemas, KUBE_SCHEMAS, schemaLocation } from '../../scripts/lib/kube-schemas.ts';
import { tempDir } from '../support/temp.ts';

interface Output {
  resources: { filename: string; kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

async function kubeconform(paths: string[]): Promise<{ code: number | null; out: Output; raw: string }> {
  const bin = await ensureTool('kubeconform');
  const r = await execa(
    bin,
    [
      '-strict',
      '-summary',
      '-verbose',
      '-output',
      'json',
      '-kubernetes-version',
      KUBE_SCHEMAS.kubernetesVersion,
      '-schema-location',
      schemaLocation(ensureKubeSchemas()),
      '-skip',
      'k6.io/v1alpha1/TestRun',
      ...paths,
    ],
    { reject: false, stripFinalNewline: false },
  );
  return { code: r.exitCode ?? null, out: JSON.parse(r.stdout) as Output, raw: r.stdout + r.stderr };
}

/** Where the Kubernetes manifests live (deploy/prometheus and deploy/alertmanager hold tool configurations). */
const MANIFEST_DIRS = ['deploy/kubernetes', 'deploy/k6'];

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => relative('.', join(d.parentPath, d.name)));

test('every Kubernetes object in deploy/ is in a folder kubeconform checks', () => {
  const elsewhere = yamlFiles('deploy').filter(
    (f) =>
      !MANIFEST_DIRS.some((d) => f.startsWith(`${d}/`)) &&
      /^apiVersion:.*$/m.test(readFileSync(f, 'utf8')) &&
      /^kind:/m.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(elsewhere, []);
});

test('every manifest in deploy/ is valid Kubernetes 1.37; only the TestRun custom resource is skipped', async () => {
  const r = await kubeconform(MANIFEST_DIRS.map((d) => `${d}/`));
  assert.equal(r.code, 0, r.raw);
  assert.deepEqual(
    r.out.resources.map((x) => `${x.kind} ${x.status}`).sort(),
    ['CronJob statusValid', 'PersistentVolumeClaim statusValid', 'TestRun statusSkipped'],
    r.raw,
  );
});

test('kubeconform does fail on a broken manifest: a misspelt field, a wrong type, a missing required field', async () => {
  const dir = tempDir('hx-kubeconform-');
  const broken = readFileSync('deploy/kubernetes/monitor-cronjob.yaml', 'utf8')
    .replace(/^(\s+)concurrencyPolicy: Forbid$/m, '$1concurencyPolicy: Forbid')
    .replace(/^(\s+)backoffLimit: 0$/m, '$1backoffLimit: "none"')
    .replace(/^(\s+)schedule: .*$/m, '');
  writeFileSync(join(dir, 'cronjob.yaml'), broken);
  const r = await kubeconform([join(dir, 'cronjob.yaml')]);
  assert.equal(r.code, 1, r.raw);
  const msg = r.out.resources.find((x) => x.kind === 'CronJob')?.msg ?? '';
  assert.match(msg, /additional properties 'concurencyPolicy' not allowed/);
  assert.match(msg, /backoffLimit': got string, want null or integer/);
  assert.match(msg, /missing property 'schedule'/);
});
