// The k6 scripts type-check against @types/k6 (k6's runtime); the Node runner is checked with the rest
// of the harness against Node's (npm run typecheck, the root tsconfig).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { execaSync } from 'execa';

it('tsc -p load is clean', () => {
  const r = execaSync('node_modules/.bin/tsc', ['-p', 'load'], { reject: false, all: true });
  assert.equal(r.exitCode, 0, r.all);
});
