// Settings of npm run conformance (proof/conformance.ts), kept apart from the program so the
// bad-values self-test can validate them without running it.
import { missingInbox } from '../../core/mail/index.ts';
import { parseSettings, SettingsError, settingsEnv, sharedSettings } from '../../core/settings.ts';

export const conformanceSettings = {
  TARGET_URL: sharedSettings.TARGET_URL,
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL,
  MAIL_WAIT_S: sharedSettings.MAIL_WAIT_S,
  HTTP_TIMEOUT_MS: sharedSettings.HTTP_TIMEOUT_MS,
  HTTP_MAX_BODY_BYTES: sharedSettings.HTTP_MAX_BODY_BYTES,
  TARGET_JWT_KEY: sharedSettings.TARGET_JWT_KEY,
  TARGET_CA_FILE: sharedSettings.TARGET_CA_FILE,
};

/** What npm run conformance checks before any traffic (SettingsError: exit 2). */
export function validateConformance(env: Record<string, string | undefined> = settingsEnv()) {
  const s = parseSettings(conformanceSettings, env);
  const problems: string[] = [];
  if (!s.TARGET_URL)
    problems.push(
      'TARGET_URL: not set: the server to compare the reference target with (e.g. the real-server kit, http://127.0.0.1:16768)',
    );
  const noInbox = missingInbox(s, 'conformance');
  if (noInbox) problems.push(noInbox);
  if (problems.length) throw new SettingsError(problems);
  return s;
}
