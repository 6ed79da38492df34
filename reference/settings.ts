// The reference target's own settings (npm run target).
import { setting, sharedSettings } from '../core/settings.ts';
import { parseFaults } from './faults.ts';

/** TARGET_FAULTS, checked against the catalog wherever it is read (target, tests, release check). */
const faultsSetting = setting.checked((spec) => {
  try {
    parseFaults(spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
});

export const targetSettings = {
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  TARGET_PORT: setting.int(0, 65535).default(8080),
  TARGET_HOST: setting.oneOf(['127.0.0.1', 'localhost', '::1']).default('127.0.0.1'),
  TARGET_DB: setting.file({ memory: true }).default(':memory:'),
  TARGET_FAULTS: faultsSetting.optional(),
  TARGET_TOKEN_LIFETIME_S: setting.int(1, 30 * 86400).default(86400),
  TARGET_MAX_REFRESH_S: setting.int(1, 30 * 86400).default(86400),
  TARGET_JWT_KEY: setting.text().optional(),
  TARGET_REALM: setting.text().default('temporal-reference'),
};
