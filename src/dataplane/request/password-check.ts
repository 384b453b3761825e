/**
 * Checks a Basic `Authorization` header against a route's htpasswd users (routing/htpasswd.ts). SHA-1 and Apache
 * MD5 are cheap and checked at once; bcrypt is slow by design (tens of milliseconds), so it runs through bcryptjs's
 * asynchronous compare, which yields to the event loop between rounds: a client guessing passwords delays only
 * itself. A password once verified is remembered per credential (one per user, so the memory is bounded by the
 * configuration, never by what clients send), and later requests with it are answered without hashing.
 *
 * bcrypt checks in progress are capped per process (`MAX_BCRYPT_CHECKS`): past it a new one is not started and the
 * caller answers 503 with Retry-After, so clients trying passwords can take only a bounded share of the CPU, while
 * users whose password is already verified keep getting in without a check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import apr1 from 'apache-md5';
import bcrypt from 'bcryptjs';
import type { Credential } from '../../routing/htpasswd.ts';
import type { BasicAuth } from '../../routing/access-policy.ts';

export const MAX_BCRYPT_CHECKS = 8;
let bcryptChecks = 0;

/** The last password verified for each credential object; a new snapshot's credentials start empty. */
const verified = new WeakMap<Credential, Buffer>();

/** The user and password of a `Basic` header, or null when it is absent or not Basic. */
export function basicCredentials(header: string | undefined): { readonly user: string; readonly password: string } | null {
  if (header === undefined || header.length < 7 || header.slice(0, 6).toLowerCase() !== 'basic ') return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Whether the header names a user of `auth` with the right password; a promise only when bcrypt must run, and
 * `busy` when bcrypt would have to run but `MAX_BCRYPT_CHECKS` are already running.
 */
export function checkPassword(auth: BasicAuth, header: string | undefined): boolean | 'busy' | Promise<boolean> {
  const given = basicCredentials(header);
  if (given === null) return false;
  const credential = auth.users.get(given.user);
  if (credential === undefined) return false;
  const password = Buffer.from(given.password, 'utf8');
  const known = verified.get(credential);
  if (known !== undefined && known.length === password.length && timingSafeEqual(known, password)) return true;
  if (credential.kind === 'bcrypt') {
    if (bcryptChecks >= MAX_BCRYPT_CHECKS) return 'busy';
    bcryptChecks++;
    return bcrypt.compare(given.password, credential.hash).then(
      (ok) => {
        bcryptChecks--;
        return remember(credential, password, ok);
      },
      () => {
        bcryptChecks--;
        return false;
      },
    );
  }
  const computed = credential.kind === 'sha1' ? `{SHA}${createHash('sha1').update(password).digest('base64')}` : apr1(given.password, credential.hash);
  return remember(credential, password, sameText(computed, credential.hash));
}

function remember(credential: Credential, password: Buffer, ok: boolean): boolean {
  if (ok) verified.set(credential, password);
  return ok;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
