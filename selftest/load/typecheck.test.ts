// The k6 scripts type-check against @types/k6 (k6's runtime); the Node runner is checked with the rest
// of the harness against Node's (npm run typecheck, the root tsconfig).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';

it('tsc -p load is clean', () => {
  const r = spawnSync('node_modules/.bin/tsc', ['-p', 'load'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
