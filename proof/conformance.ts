// npm run conformance [-- --json]: does the reference target answer as the real server does? Sends
// the same requests (proof/conformance/cases.ts) to the server at TARGET_URL and to a bundled
// reference target of the same generation (TARGET_GENERATION; started here, with a Mailpit for its
// mail, the same signing key and realm), and compares each pair of answers (status, headers, body
// shape, messages: proof/conformance/compare.ts), listing every difference. A difference is either
// modelled in the reference target, so it disappears, or written down below (KNOWN_DIFFERENCES, and
// docs/real-server.md's "Known differences") with the reason it is kept; anything else fails the run.
// Exit 0: no difference beyond the known ones; 1: a new difference (or a case that could not run);
// 2: bad settings. TARGET_JWT_KEY (the server's signing key) lets the cases that forge validly signed
// tokens run on both sides; without it they are skipped, and said so.
import { randomBytes } from 'node:crypto';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { namedAccount } from '../core/accounts.ts';
import { TemporalClient } from '../core/client.ts';
import { type Detection, DetectionError, detectionLine, partGeneration } from '../core/generation.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import { TransportError } from '../core/http.ts';
import { startMailpit } from '../core/mail/mailpit-process.ts';
import { openInbox } from '../core/mail/index.ts';
import { redactText } from '../core/redact.ts';
import { runMain } from '../core/settings.ts';
import { terminalText } from '../core/terminal.ts';
import { textTable } from '../core/text-table.ts';
import { trustCaFiles } from '../core/trust.ts';
import { startTarget } from '../reference/server.ts';
import { CASES, freshAccounts, type Side } from './conformance/cases.ts';
import { compareAnswers, type Difference } from './conformance/compare.ts';
import { conformanceSettings, validateConformance } from './conformance/settings.ts';

/** Differences kept on purpose, each with its reason (docs/real-server.md lists the same, under "Known differences"). */
export const KNOWN_DIFFERENCES: { id: string; case: RegExp; where: RegExp; reason: string }[] = [
  {
    id: 'dev-terms-url',
    case: /^register: a (new|second) account/,
    where: /^body response\.Status$/,
    reason:
      'the real-server kit runs the server with -dev (plain HTTP on loopback), which names the dev terms of service ' +
      '(docs.dev.ts.temporal.cloud); the reference answers as a production deployment does (docs.ts.temporal.cloud)',
  },
];

export interface CaseOutcome {
  name: string;
  verdict: 'same' | 'known' | 'differs' | 'skipped' | 'error';
  status?: { real: number; reference: number };
  differences: (Difference & { known?: string })[];
  /** Why it was skipped, or could not run. */
  note?: string;
}

const known = (d: Difference) => KNOWN_DIFFERENCES.find((k) => k.case.test(d.case) && k.where.test(d.where));

const CONFORMANCE_PROGRAM = {
  command: 'npm run conformance',
  summary: 'does the reference target answer as the server at TARGET_URL does? The same requests to both, every difference listed',
  usage: ['[-- --json]'],
  options: { json: { type: 'boolean', description: 'print the outcome of every request as JSON' } },
  settings: conformanceSettings,
  exits: '0 no difference beyond the known ones, 1 a new difference (or a request that could not run), 2 bad settings',
  examples: [
    'TARGET_URL=http://127.0.0.1:16768 TARGET_GENERATION=latest MAIL_INBOX_URL=amqp://guest:guest@127.0.0.1:5673/ npm run conformance',
  ],
} satisfies ProgramInfo;

await runMain(async () => {
  const { values } = parseCommandLine(CONFORMANCE_PROGRAM, process.argv.slice(2));
  const s = validateConformance();
  await trustCaFiles([s.TARGET_CA_FILE]);
  // The server's answers are quoted: their control characters shown escaped (core/terminal.ts).
  const out = (line: string) => !values.json && process.stdout.write(`${terminalText(line)}\n`);
  const realApi = new TemporalClient({ baseUrl: s.TARGET_URL!, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
  // The realm is configuration, not behaviour: the reference takes the real server's.
  let probe: Awaited<ReturnType<TemporalClient['creditsAvailable']>>;
  try {
    probe = await realApi.creditsAvailable(undefined);
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    // A refused certificate is not silence: its own words say what to do (TARGET_CA_FILE).
    process.stderr.write(
      `${terminalText(`conformance: ${err.kind === 'tls' ? '' : 'the server at TARGET_URL does not answer: '}${err.message}`)}\n`,
    );
    return 1;
  }
  const realm = /^JWT realm=(.+)$/.exec(probe.headers['www-authenticate'] ?? '')?.[1] ?? 'temporal-reference';
  const realInbox = openInbox(s.MAIL_INBOX_URL ?? 'http://127.0.0.1:1', s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES);
  // The reference target must be of the server's generation: given, or told by an account made here.
  let detection: Detection;
  try {
    detection = await partGeneration({
      settings: s,
      target: {},
      api: realApi,
      inbox: s.MAIL_INBOX_URL ? realInbox : undefined,
      part: 'conformance',
      makesAccounts: true,
      account: () => namedAccount('test', `conf${randomBytes(4).toString('hex')}-probe`, `Probe-${randomBytes(12).toString('hex')}`),
    });
  } catch (err) {
    if (!(err instanceof RateLimitedError || err instanceof DetectionError || err instanceof TransportError)) throw err;
    await realInbox.close();
    process.stderr.write(`conformance: ${err.message}\n`);
    return 1;
  }
  if (s.TARGET_GENERATION === 'auto') out(detectionLine(detection));
  const generation = detection.generation;
  const latest = generation === 'latest';
  const mail = latest ? await startMailpit() : undefined;
  const reference = await startTarget({ generation, jwtKey: s.TARGET_JWT_KEY, realm, smtpUrl: mail?.smtpUrl });
  const waitMs = s.MAIL_WAIT_S * 1000;
  const real: Side = {
    name: 'real',
    api: realApi,
    inbox: realInbox,
    key: s.TARGET_JWT_KEY,
    mailWaitMs: waitMs,
  };
  const ref: Side = {
    name: 'reference',
    api: new TemporalClient({ baseUrl: reference.url, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES }),
    inbox: openInbox(mail?.inboxUrl ?? 'http://127.0.0.1:1', s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES),
    key: s.TARGET_JWT_KEY,
    mailWaitMs: waitMs,
  };
  const accounts = freshAccounts();
  const secrets = [accounts.a.password, accounts.u.password, accounts.newPassword, s.TARGET_JWT_KEY ?? ''];
  const scrub = (t: string) => redactText(t, secrets);
  out(
    `Conformance: ${s.TARGET_URL} against the reference target (generation ${generation}, realm ${realm}) — ` + `${CASES.length} requests`,
  );
  const t0 = performance.now();
  const outcomes: CaseOutcome[] = [];
  try {
    for (const c of CASES) {
      if (c.latestOnly && !latest) {
        outcomes.push({ name: c.name, verdict: 'skipped', differences: [], note: 'the documented generation mails no verification link' });
        continue;
      }
      if (c.needsKey && !s.TARGET_JWT_KEY) {
        outcomes.push({
          name: c.name,
          verdict: 'skipped',
          differences: [],
          note: "it forges a validly signed token: set TARGET_JWT_KEY (the server's signing key)",
        });
        continue;
      }
      try {
        const a = await c.send(real, accounts);
        c.after?.(real, a);
        const b = await c.send(ref, accounts);
        c.after?.(ref, b);
        const diffs = compareAnswers(c.name, a, b).map((d) => {
          const k = known(d);
          return { ...d, real: scrub(d.real), reference: scrub(d.reference), ...(k ? { known: `${k.id}: ${k.reason}` } : {}) };
        });
        const verdict = diffs.length === 0 ? 'same' : diffs.every((d) => d.known) ? 'known' : 'differs';
        outcomes.push({ name: c.name, verdict, status: { real: a.status, reference: b.status }, differences: diffs });
      } catch (err) {
        outcomes.push({ name: c.name, verdict: 'error', differences: [], note: scrub((err as Error).message) });
      }
    }
  } finally {
    await real.inbox.close();
    await ref.inbox.close();
    await reference.close();
    await mail?.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const count = (v: CaseOutcome['verdict']) => outcomes.filter((o) => o.verdict === v).length;
  const ok = count('differs') === 0 && count('error') === 0;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url: s.TARGET_URL, generation, seconds, ok, outcomes }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const rows = outcomes.map((o) => [
    o.name,
    o.status ? `${o.status.real}/${o.status.reference}` : '-',
    o.verdict === 'same'
      ? 'same'
      : o.verdict === 'known'
        ? `${o.differences.length} known difference(s)`
        : o.verdict === 'differs'
          ? `${o.differences.filter((d) => !d.known).length} DIFFERENCE(S)`
          : o.verdict === 'skipped'
            ? `skipped: ${o.note}`
            : `COULD NOT RUN: ${o.note}`,
  ]);
  out(textTable(['request', 'status (real/reference)', 'answers'], rows, { indent: '  ' }));
  const diffs = outcomes.flatMap((o) => o.differences);
  if (diffs.length) {
    out('\nDifferences (real server / reference target):');
    for (const d of diffs)
      out(
        `  ${d.known ? '≈' : '✖'} ${d.case} — ${d.where}: real ${d.real}; reference ` +
          `${d.reference}${d.known ? `\n      known (${d.known.split(':')[0]}): ${d.known.slice(d.known.indexOf(':') + 2)}` : ''}`,
      );
  }
  out(
    `\n${ok ? '✔' : '✖'} ${count('same')} of ${outcomes.length} requests answered the same, ${count('known')} with known ` +
      `differences only, ${count('differs')} differ, ${count('skipped')} skipped, ${count('error')} could not run ` +
      `(${seconds.toFixed(1)} s)`,
  );
  return ok ? 0 : 1;
});
