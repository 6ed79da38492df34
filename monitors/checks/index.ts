// The checks of a pass, in the order they run.
import { certificate } from './certificate.ts';
import type { Check } from './context.ts';
import { latency } from './latency.ts';
import { login } from './login.ts';
import { refresh } from './refresh.ts';
import { tokenAcrossRuns } from './token-across-runs.ts';
import { tokenLifetime } from './token-lifetime.ts';
import { tokenWorks } from './token-works.ts';

// The certificate last: it needs no other check, and none needs it (a certificate near its end still serves).
export const CHECKS: readonly Check[] = [login, tokenLifetime, tokenWorks, refresh, tokenAcrossRuns, latency, certificate];
