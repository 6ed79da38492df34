// What a refused login means on a target of the latest generation, where a 401 is also the answer
// to an account whose e-mail address is not verified yet. A leaf module: the k6 side says it too.

/** Appended to "login answered 401": tells an unverified account apart from a wrong password. */
export function unverifiedHint(generation: string | undefined): string {
  if (generation === 'latest')
    return (
      ': the account may not be verified (TARGET_GENERATION=latest needs MAIL_INBOX_URL, or accounts verified beforehand), or ' +
      'its password is wrong'
    );
  // Taken as documented (set so, or not told): the latest generation refuses an unverified account the same way.
  if (generation === 'documented' || generation === 'auto')
    return (
      ': its password is wrong, or the target is of the latest generation and the account is not verified yet ' +
      '(the run takes the target as documented; TARGET_GENERATION=auto with an account to tell by, or latest, says otherwise)'
    );
  return '';
}
