// The specs read like Playwright's guides: everything they use comes from one module, fixtures/test.ts
// (the fixtures, the assertions, the contract's words and schemas), as it promises; Node's own modules
// aside. A spec reaching into core/ or elsewhere would bypass the fixtures' secret keeping and known issues.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const specs = readdirSync('tests', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.spec.ts'))
  .map((f) => join('tests', f));

test('every spec imports from fixtures/test.ts alone (and node: modules)', () => {
  assert.ok(specs.length > 0);
  const stray = specs.flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)]
      .map((m) => m[1]!)
      .filter((from) => from !== '../../fixtures/test.ts' && !from.startsWith('node:'))
      .map((from) => `${f}: ${from}`),
  );
  assert.deepEqual(stray, []);
});
