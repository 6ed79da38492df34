// Password hashing as the real server does it: Go's bcrypt, "$2a$" hashes at cost 10 (the cost is the
// target's TARGET_BCRYPT_COST: npm test's proofs lower it, see reference/settings.ts).
// `bcrypt` (native, prebuilt binaries in its npm tarball) rather than @node-rs/bcrypt, whose
// per-platform packages are not all on the registry this project installs from, so its lock
// file could never satisfy `npm ci`.
import bcrypt from 'bcrypt';
import { BCRYPT_COST } from '../core/contract.ts';

export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, await bcrypt.genSalt(cost, 'a'));
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
