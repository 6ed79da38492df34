// One settings surface: the settings the programs' schemas take from users are exactly
// the ones .env.example documents, no more, no fewer. Internal settings (core/settings.ts internal():
// ports the harness chose, the reference target's own knobs) work but stay undocumented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { z } from 'zod';
import { isInternal, sharedSettings } from '../../core/settings.ts';
import { exploreSettings } from '../../explore/settings.ts';
import { testSettings } from '../../fixtures/settings.ts';
import { capacitySettingsShape } from '../../load/capacity/settings.ts';
import { loadSettingsShape } from '../../load/runner/settings.ts';
import { monitorSettings } from '../../monitors/settings.ts';
import { targetSettings } from '../../reference/settings.ts';
import { conformanceSettings } from '../../proof/conformance/settings.ts';
import { realServerSettings } from '../../proof/real-server/settings.ts';
import { releaseSettings } from '../../release/settings.ts';

const SHAPES: Record<string, z.ZodRawShape> = {
  shared: sharedSettings,
  'npm run target': targetSettings,
  'npm run monitor': monitorSettings,
  'npm run load': loadSettingsShape,
  'npm run capacity': capacitySettingsShape,
  'npx playwright test': testSettings,
  'npm start': releaseSettings,
  'npm run conformance': conformanceSettings,
  'npm run test:real-server': realServerSettings,
  'npm run explore': exploreSettings,
};

const userFacing = new Set(
  Object.values(SHAPES).flatMap((shape) => Object.entries(shape).flatMap(([name, schema]) => (isInternal(schema) ? [] : [name]))),
);
const internalOnes = new Set(
  Object.values(SHAPES).flatMap((shape) => Object.entries(shape).flatMap(([name, schema]) => (isInternal(schema) ? [name] : []))),
);
const documented = new Set([...readFileSync('.env.example', 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));

test('the settings the schemas take from users are the ones .env.example documents', () => {
  const undocumented = [...userFacing].filter((n) => !documented.has(n)).sort();
  const unknown = [...documented].filter((n) => !userFacing.has(n)).sort();
  assert.deepEqual(
    { undocumented, unknown },
    { undocumented: [], unknown: [] },
    'undocumented: in a schema, not in .env.example (document it, or mark it internal()); unknown: in .env.example, in no schema',
  );
});

test('an internal setting is internal everywhere: no program takes it from users under the same name', () => {
  assert.deepEqual([...internalOnes].filter((n) => userFacing.has(n)).sort(), []);
});

test('the README says how many settings users have', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.match(readme, new RegExp(`\\b${userFacing.size} settings\\b`), `README.md does not say "${userFacing.size} settings"`);
});
