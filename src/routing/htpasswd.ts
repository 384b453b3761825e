/**
 * Reads the credentials of ingress-nginx's basic authentication from a Secret: an htpasswd file under the `auth`
 * key (`auth-secret-type: auth-file`, the default), or one key per user whose value is the hash (`auth-map`).
 *
 * Only the hash formats `htpasswd` writes by default or on request and that are still sound enough to accept are
 * kept: bcrypt (`$2y$`, `$2a$`, `$2b$`), Apache's MD5 (`$apr1$`) and SHA-1 (`{SHA}`). A crypt(3) or plain-text
 * password is refused with a warning naming the user: crypt keeps only 8 characters and plain text stores the
 * password itself. A refused or malformed line only locks out its own user. Pure: the hashes are checked per
 * request by the data plane (password-check.ts).
 */

export type HashKind = 'bcrypt' | 'apr1' | 'sha1';

export interface Credential {
  readonly kind: HashKind;
  readonly hash: string;
}

export interface ParsedCredentials {
  /** By user name; the first line of a user wins, as Apache's lookup does. */
  readonly users: ReadonlyMap<string, Credential>;
  /** One message per refused line or key (no password or hash in them). */
  readonly problems: readonly string[];
}

const BCRYPT = /^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/;
const APR1 = /^\$apr1\$[^$]{0,8}\$[./A-Za-z0-9]{22}$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/** The kind of a stored hash, or a reason it is refused. */
export function hashKind(hash: string): HashKind | { readonly refused: string } {
  if (BCRYPT.test(hash)) return 'bcrypt';
  if (APR1.test(hash)) return 'apr1';
  if (SHA1.test(hash)) return 'sha1';
  if (hash.startsWith('$2') || hash.startsWith('$apr1$') || hash.startsWith('{SHA}')) return { refused: 'a malformed hash' };
  if (/^\$[0-9a-z]+\$/.test(hash)) return { refused: 'a hash format htpasswd does not write (use bcrypt: htpasswd -B)' };
  if (/^[./A-Za-z0-9]{13}$/.test(hash)) return { refused: 'a crypt(3) hash, which keeps only 8 characters of the password (use bcrypt: htpasswd -B)' };
  return { refused: 'not a hash htpasswd writes (plain-text passwords are refused; use bcrypt: htpasswd -B)' };
}

/** An htpasswd file: `user:hash` lines; blank lines and `#` comments are skipped. */
export function parseHtpasswd(text: string): ParsedCredentials {
  const users = new Map<string, Credential>();
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push(`line ${i + 1} is not "user:hash"; it is skipped`);
      continue;
    }
    add(users, problems, line.slice(0, colon), line.slice(colon + 1), `line ${i + 1} (user "${line.slice(0, colon)}")`);
  }
  return { users, problems };
}

/** An auth-map: each key a user name, each value that user's hash. */
export function parseAuthMap(entries: ReadonlyMap<string, string>): ParsedCredentials {
  const users = new Map<string, Credential>();
  const problems: string[] = [];
  for (const [user, hash] of entries) add(users, problems, user, hash.trim(), `user "${user}"`);
  return { users, problems };
}

function add(users: Map<string, Credential>, problems: string[], user: string, hash: string, where: string): void {
  const kind = hashKind(hash);
  if (typeof kind !== 'string') {
    problems.push(`${where} has ${kind.refused}; that user cannot sign in`);
    return;
  }
  if (!users.has(user)) users.set(user, Object.freeze({ kind, hash }));
}
