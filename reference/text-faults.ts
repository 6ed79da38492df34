// Which fault of the catalog breaks each kind of typed text the explorer knows (explore/text.ts
// CATEGORIES): what the explorer's corpus self-test and its benchmark run it against.
import type { FaultName } from './faults.ts';

export const FAULT_FOR_TEXT = {
  markup: 'form-markup-empty-200',
  entity: 'password-entities-at-register-only',
  separator: 'password-url-decoded-at-register',
  control: 'control-chars-stripped',
  whitespace: 'password-trimmed-at-register',
  unicode: 'password-nfc-at-register',
  long: 'password-cut-at-72-bytes',
} as const satisfies Record<string, FaultName>;
