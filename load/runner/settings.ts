// Settings of `npm run load` (and the load selftests). Raw LOAD_* values are checked by the same
// pure builders the k6 scripts use (lib/profiles.ts, lib/thresholds.ts), so both refuse alike.
import { setting, sharedSettings } from '../../core/settings.ts';
import { PROFILES } from '../lib/profiles.ts';

export const loadSettingsShape = {
  TARGET_URL: sharedSettings.TARGET_URL,
  TARGET_ENV: sharedSettings.TARGET_ENV,
  HTTP_TIMEOUT_MS: sharedSettings.HTTP_TIMEOUT_MS,
  TIME_TOLERANCE_S: sharedSettings.TIME_TOLERANCE_S,
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  REPORTS_DIR: sharedSettings.REPORTS_DIR,
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL,
  MAIL_WAIT_S: sharedSettings.MAIL_WAIT_S,
  /** Must equal the target's host to load anything that is not this machine. */
  CONFIRM_TARGET: setting.text().optional(),
  LOAD_PROFILE: setting.oneOf(PROFILES).default('smoke'),
  LOAD_RATE: setting.text().optional(),
  LOAD_DURATION: setting.text().optional(),
  LOAD_PRE_VUS: setting.text().optional(),
  LOAD_MAX_VUS: setting.text().optional(),
  LOAD_POOL_SIZE: setting.text().optional(),
  LOAD_P95_MS: setting.text().optional(),
  LOAD_P99_MS: setting.text().optional(),
  LOAD_MAX_ERROR_RATE: setting.text().optional(),
  LOAD_MIN_CHECKS_RATE: setting.text().optional(),
  /** Pre-provisioned accounts: a JSON file [{username, password}], or one account below. */
  LOAD_ACCOUNTS_FILE: setting.text().optional(),
  LOAD_USERNAME: setting.text().optional(),
  LOAD_PASSWORD: setting.text().optional(),
  /** A k6 binary to use instead of the pinned one found or installed automatically. */
  K6_BIN: setting.text().optional(),
};

/** The CLI flags of `npm run load -- <script> [flags]` and the settings they override. */
export const FLAG_SETTINGS = {
  profile: 'LOAD_PROFILE',
  rate: 'LOAD_RATE',
  duration: 'LOAD_DURATION',
  'pre-vus': 'LOAD_PRE_VUS',
  'max-vus': 'LOAD_MAX_VUS',
  'pool-size': 'LOAD_POOL_SIZE',
} as const;

/** The k6 -e name for each LOAD_* setting. */
export const K6_ENV_NAMES = {
  LOAD_PROFILE: 'PROFILE',
  LOAD_RATE: 'RATE',
  LOAD_DURATION: 'DURATION',
  LOAD_PRE_VUS: 'PRE_VUS',
  LOAD_MAX_VUS: 'MAX_VUS',
  LOAD_POOL_SIZE: 'POOL_SIZE',
  LOAD_P95_MS: 'P95_MS',
  LOAD_P99_MS: 'P99_MS',
  LOAD_MAX_ERROR_RATE: 'MAX_ERROR_RATE',
  LOAD_MIN_CHECKS_RATE: 'MIN_CHECKS_RATE',
} as const;
