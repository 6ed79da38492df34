// The matrix's last guard: a check that failed under no fault is named, so it cannot pass unseen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neverFailed } from '../../proof/proven.ts';

const ok = (check: string) => ({ check, failed: false });
const bad = (check: string) => ({ check, failed: true });

test('a check that some fault made fail is proven; one that none did is named', () => {
  const clean = [ok('token lasts 24 h'), ok('credits are a number'), ok('old password refused')];
  const runs = [
    [bad('token lasts 24 h'), ok('credits are a number')],
    [ok('token lasts 24 h'), bad('old password refused')],
  ];
  assert.deepEqual(neverFailed(clean, runs), ['credits are a number']);
});

test('every check proven: nothing named; no fault runs at all: everything named', () => {
  assert.deepEqual(neverFailed([ok('a'), ok('b')], [[bad('a')], [bad('b')]]), []);
  assert.deepEqual(neverFailed([ok('a'), ok('a')], []), ['a']);
});
