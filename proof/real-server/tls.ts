// The real server as deployed (the kit's REAL_SERVER_MODE=production) serves TLS with a private CA made
// once per work dir, and start.sh's line names its file: "real server listening on https://127.0.0.1:16768
// (mail outbox amqp://… queue email-send-queue; production mode: CA certificate /…/tls/ca.pem, rate limit
// 600 requests per hour per client)". What the real-server step hands every part is that one setting,
// TARGET_CA_FILE, as a user with a staging behind a private CA would; this process trusts it too (its
// own probes of the server).
import { trustCaFiles } from '../../core/trust.ts';

/** The CA file start.sh's line names (production mode), if it names one. */
export function startLineCaFile(line: string): string | undefined {
  return /listening on https:\/\/\S+ \(.*\bCA certificate (\S+?)[,)]/.exec(line)?.[1];
}

/** The parts' environment for the server of `line`: TARGET_CA_FILE when it serves TLS with the kit's CA
 *  (trusted here from now on as well); nothing for a -dev server (plain HTTP). */
export async function kitTrustEnv(line: string): Promise<Record<string, string>> {
  const caFile = startLineCaFile(line);
  if (!caFile) return {};
  await trustCaFiles([caFile]);
  return { TARGET_CA_FILE: caFile };
}
