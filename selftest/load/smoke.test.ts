// The smoke profile of both k6 scripts, for real, against the bundled target (started by the
// orchestrator because TARGET_URL is unset): it passes, k6's own summary and the harness's table are
// both printed, and its reports (a folder of its own, `latest` pointing at it) hold no secrets.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { latestRunDir } from '../../load/runner/k6.ts';
import { describe, it } from 'node:test';
import { crossedThresholds, failedChecks, K6_LATENCY_ROOM, runLoad, tail } from '../support/k6.ts';

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{8,}\.eyJ/;

describe('k6 smoke against the clean bundled target', () => {
  for (const script of ['login', 'credits'] as const) {
    it(`${script} smoke passes, checks ran, and the reports are written without secrets`, async () => {
      // Generous latency limits: a loaded CI machine must not fail the plumbing this shows (latency
      // thresholds have their own cases in faults.test.ts).
      const run = await runLoad([script, '-e', 'LOAD_PROFILE=smoke'], K6_LATENCY_ROOM);
      assert.equal(run.code, 0, `npm run load -- ${script} exited ${run.code}:\n${tail(run)}`);
      const s = run.summary(script);
      assert.equal(s.passed, true, `thresholds crossed: ${crossedThresholds(s).join('; ')}`);
      assert.deepEqual(failedChecks(s), []);
      // Every answer checked (a smoke is a handful: 2 a second for 5 s), and the VUs that checked say so.
      const answers = Math.min(...s.checks.map((c) => c.passes + c.fails));
      assert.ok(
        answers >= 9 && answers <= 11 && answers === s.metrics[`http_reqs{name:${script}}`]?.count,
        `only ${answers} ${script} answers were checked`,
      );
      assert.ok((s.metrics[`${script}_checked`]?.count ?? 0) >= 1, `no ${script}_checked`);
      assert.ok(s.checks.length >= 2 && s.checks.every((c) => c.passes > 0), 'every check ran');
      // The script's thresholds: error rate, p95 and p99, checks (those three abort a broken run), and
      // proof that requests were sent and their answers checked (a rate threshold passes vacuously).
      assert.deepEqual(
        s.thresholds.map((t) => `${t.metric}: ${t.rule}`).sort(),
        [
          `checks{name:${script}}: rate>=0.99`,
          `http_req_duration{name:${script}}: p(95)<20000`,
          `http_req_duration{name:${script}}: p(99)<30000`,
          `http_req_failed{name:${script}}: rate<=0.01`,
          `http_reqs{name:${script}}: count>0`,
          `${script}_checked: count>0`,
          'rate_limited: count==0',
        ].sort(),
      );

      // k6's standard end-of-test summary (thresholds with what was measured), then the harness's table.
      assert.match(run.output, /█ THRESHOLDS[\s\S]*✓ 'p\(95\)<\d+' p\(95\)=[\d.]+(ms|µs|s)/);
      assert.match(run.output, new RegExp(`✓ http_req_duration\\{name:${script}\\}: p\\(95\\)<\\d+ p\\(95\\)=[\\d.]+(ms|µs|s)`));
      assert.ok(
        s.thresholds.every((t) => /^[a-z()\d.]+=\S+$/.test(t.measured)),
        JSON.stringify(s.thresholds),
      );

      const runDir = join(run.reportsDir, 'load', readlinkSync(latestRunDir(run.reportsDir)));
      assert.match(runDir, new RegExp(`/load/\\d{8}-\\d{6}-${script}-smoke$`));
      const files = readdirSync(runDir).sort();
      assert.deepEqual(files, ['junit.xml', 'summary.json', 'summary.txt'], 'smoke has no dashboard; the other profiles do');
      const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
      assert.match(junit, /<testsuites name="k6 load" tests="\d+" failures="0">/);
      for (const text of [...files.map((f) => readFileSync(join(runDir, f), 'utf8')), run.output]) {
        assert.doesNotMatch(text, JWT_LIKE, 'a token leaked into a report or the output');
        assert.doesNotMatch(text, /-Load!|"password"/, 'a password leaked into a report or the output');
      }
    });
  }
});
