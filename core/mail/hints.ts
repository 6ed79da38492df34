// What a refused login means on a target of the latest generation, where a 401 is also the answer
// to an account whose e-mail address is not verified yet. A leaf module: the k6 side says it too.

/** Appended to "login answered 401": tells an unverified account apart from a wrong password. */
export function unverifiedHint(generation: string | undefined): string {
  return generation === 'latest'
    ? ': the account may not be verified (TARGET_GENERATION=latest needs MAIL_INBOX_URL, or accounts verified beforehand), or ' +
        'its password is wrong'
    : '';
}
