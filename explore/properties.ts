// The properties the explorer holds the target to, and what a broken one looks like. A scenario
// (a generated account flow or input) stops at the first step that breaks one, with a Failure.

/** What must hold for every generated input and flow, in the words of the findings. */
export const PROPERTIES = {
  answers: 'every request gets an HTTP answer within HTTP_TIMEOUT_MS',
  'no-5xx': 'no input gives a 5xx',
  'no-empty-2xx': 'a 2xx answer is never empty',
  'no-secret-echo': 'no answer echoes a secret (a password sent, a bcrypt hash)',
  contract: 'every answer has the shape of the contract for its status (drift is news, not a failure)',
  'input-rules': 'the rules hold for all inputs: missing or empty fields, the + and @ rules, the request encodings a client may send',
  uniqueness: 'a username or an e-mail address is registered once',
  'round-trip':
    'what register accepts comes back as sent and logs in exactly as typed, by username and by e-mail; after a change the new ' +
    'password works as typed and the old one is refused',
  'tokens-refused': 'any token that is not exactly the one issued is refused with 401',
  'account-state': "a flow of register, login, refresh, password change, reads and upgrade keeps the account's state as the contract says",
} as const;
export type Property = keyof typeof PROPERTIES;
export const PROPERTY_NAMES = Object.keys(PROPERTIES) as Property[];

/** The oracles every answer goes through whatever the scenario expects: a finding of theirs is the
 *  same finding whatever input led there, so its key leaves the input's kind out. */
const GENERIC: readonly Property[] = ['answers', 'no-5xx', 'no-empty-2xx', 'no-secret-echo', 'contract'];
export const isGeneric = (p: Property): boolean => GENERIC.includes(p);

export interface Failure {
  property: Property;
  /** Where it broke: an endpoint for the generic oracles (`refresh`), a step of the flow otherwise (`login by e-mail`).
   *  Part of the finding's key: steps that test the same thing share it (a login as typed, before or after a change). */
  where: string;
  /** The exact step, when `where` is shared by several steps of one flow: shrinking stops past this one. */
  step?: string;
  /** What broke, stable across inputs ("answered 500 with an empty body"): part of the finding's key. */
  symptom: string;
  /** The sentence for the person on call, with the details of this answer (never a secret). */
  message: string;
  /** False when the kind of input does not tell bugs apart here (a server that rewrites what it stores
   *  does it in one place, whatever the text): the finding's key then leaves the input's kinds out. */
  byInput?: boolean;
}

/** Does the finding's key hold the kinds of unusual input of its counterexample? */
export const keyedByInput = (f: Failure): boolean => !isGeneric(f.property) && f.byInput !== false;

/** A step of a scenario broke a property. */
export class StepFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'StepFailed';
  }
}

/** Exploring on would tell nothing about the API: the run stops, saying why (not a finding). */
export class StopExploring extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StopExploring';
  }
}

/** The target's TLS certificate is refused (not trusted, expired, for another host): every request
 *  would fail the same way, and that is not a bug of the API. */
export class CertificateRefused extends StopExploring {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateRefused';
  }
}

/** The target throttles us (429): exploring on would only measure its rate limit. */
export class Throttled extends StopExploring {
  constructor(message: string) {
    super(message);
    this.name = 'Throttled';
  }
}

/** During shrinking, the step whose failure is being shrunk has passed: the rest of the flow cannot
 *  fail the same way, so the run stops there (shrinking a round trip costs one login, not ten). */
/** EXPLORE_REQUESTS are spent: the search ends here, as at its deadline (the input under way is left). */
export class BudgetSpent extends Error {
  constructor(readonly requests: number) {
    super(`the budget of ${requests} requests (EXPLORE_REQUESTS) is spent`);
    this.name = 'BudgetSpent';
  }
}

export class PastTheStep extends Error {
  constructor() {
    super('past the step being shrunk');
    this.name = 'PastTheStep';
  }
}

/** The run's time (EXPLORE_SECONDS) is spent: the request or the wait it would need was not made,
 *  or was cut at the budget's end. Not a finding: a slow target is not a broken one for this. */
export class OutOfTime extends Error {
  constructor() {
    super("the exploration's time (EXPLORE_SECONDS) is spent");
    this.name = 'OutOfTime';
  }
}

/** The symptom part of a finding's key: property, where, what. */
export const symptomKey = (f: Failure): string => `${f.property} | ${f.where} | ${f.symptom}`;
