// One settings surface: the settings the programs' schemas take from users are exactly
// the ones .env.example documents, no more, no fewer. Internal settings (core/settings.ts internal():
// ports the harness chose, the reference target's own knobs) work but stay undocumented. The table of
// them in docs/settings.md is generated from the same (selftest/docs/generated.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { z } from 'zod';
import { isInternal, sharedSettings } from '../../core/settings.ts';
import { PROGRAM_SETTINGS } from '../../scripts/docs-pages.ts';

const SHAPES: Record<string, z.ZodRawShape> = { shared: sharedSettings, ...PROGRAM_SETTINGS };

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
