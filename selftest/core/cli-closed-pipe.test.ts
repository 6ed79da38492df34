// `npm run target -- --list-faults | head`: when the reader of a program's output goes away, the program stops quietly
// (exit 0, nothing on stderr), as Unix tools do, instead of Node's unhandled EPIPE stack trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';

test('a program whose reader closes the pipe stops without a stack trace', async () => {
  const child = execa('npx', ['tsx', 'reference/main.ts', '--list-faults'], { stdout: 'pipe', stderr: 'pipe', reject: false });
  // Close our end before it writes, as `head -1` has by the time the second line comes.
  child.stdout.destroy();
  const r = await child;
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, `stderr:\n${r.stderr}`);
  assert.equal(r.exitCode, 0, `stderr:\n${r.stderr}`);
});
