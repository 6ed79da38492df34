// The k6 scripts type-check against @types/k6 (k6's runtime), the orchestrator against Node's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';

for (const project of ['load', 'load/runner'])
  it(`tsc -p ${project} is clean`, () => {
    const r = spawnSync('node_modules/.bin/tsc', ['-p', project], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
