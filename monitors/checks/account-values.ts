// The monitoring account's own credits and tier against what the monitor knows of them: an account it
// registered in this pass has 0 credits and the free tier, and an account's values do not change
// between passes, because the monitor neither spends nor pays in credits and never upgrades. A jump is
// what a server answering another account's balance, or upgrading the wrong account, looks like from
// one account. The last accepted values stay the baseline while they differ: a jump keeps failing
// (and pages after MONITOR_ALERT_AFTER passes) instead of becoming the new normal after one pass.
import { rfc3339 } from '../../core/durations.ts';
import type { PassContext } from './context.ts';

export interface SeenValues {
  credits: number;
  tier: string;
}

/** A new account's values (the contract: `Credits: 0`; the free tier once verified, in both generations). */
const NEW_ACCOUNT: SeenValues = { credits: 0, tier: 'free' };

/** Problems with what `username`'s credits and tier are now; records them as the baseline when there are none. */
export function accountValueProblems(ctx: PassContext, username: string, seen: SeenValues): { problems: string[]; note: string } {
  const now = Date.now();
  const last = ctx.state.accountValues(ctx.target, username);
  const madeNow = ctx.accountMade === true && last === undefined;
  const want = madeNow ? NEW_ACCOUNT : last;
  const problems: string[] = [];
  if (want) {
    const since = madeNow ? 'it was registered in this pass, and a new account has' : `the pass of ${rfc3339(last!.seenAtMs / 1000)} saw`;
    if (seen.credits !== want.credits)
      problems.push(
        `credits of ${username} are ${seen.credits}, but ${since} ${want.credits}: the monitor spends none and pays none in, so the ` +
          "target answers another account's balance or changed this one",
      );
    if (seen.tier !== want.tier)
      problems.push(
        `the tier of ${username} is ${seen.tier}, but ${since} ${want.tier}: the monitor never upgrades, so the target reads another ` +
          "account's usage or changed this one (an upgrade that reached the wrong account)",
      );
  }
  // The baseline moves only when the values are right (or first seen): a jump fails every pass until it is undone.
  if (problems.length === 0) ctx.state.saveAccountValues(ctx.target, username, { ...seen, seenAtMs: now });
  const note = madeNow
    ? `credits 0 and tier free, as for a new account`
    : last
      ? `credits ${seen.credits} and tier ${seen.tier}, as in the last pass`
      : `credits ${seen.credits} and tier ${seen.tier}, first seen (kept to compare with the next passes)`;
  return { problems, note };
}
