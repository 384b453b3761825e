/**
 * The admin bearer token: from the settings (`spec.admin.token`) or a file (`spec.admin.tokenFile`, read at start
 * and on every reload so it can be rotated), compared in constant time. Without a token the object API is
 * read-only, and the admin listener must stay on a loopback address: anyone who can reach it could otherwise
 * read the configuration.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { AdminAuthSettings, HostPort } from '../config/settings.ts';

/** The token, null when none is configured; rejects with a sentence when tokenFile cannot be read or is empty. */
export async function resolveAdminToken(auth: AdminAuthSettings): Promise<string | null> {
  if (auth.token !== null) return auth.token;
  if (auth.tokenFile === null) return null;
  let text: string;
  try {
    text = await readFile(auth.tokenFile, 'utf8');
  } catch (err) {
    throw new Error(
      `spec.admin.tokenFile ${auth.tokenFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path and its permissions`,
    );
  }
  const token = text.trim();
  if (token.length < 16) throw new Error(`spec.admin.tokenFile ${auth.tokenFile} holds ${token.length} characters; a token needs at least 16`);
  return token;
}

/** True when `Authorization: Bearer <token>` matches. */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (header === undefined || !/^Bearer /i.test(header)) return false;
  const given = Buffer.from(header.slice(7).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Loopback hosts: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(at: HostPort): boolean {
  if (at.host === 'localhost' || at.host === '::1') return true;
  return isIP(at.host) === 4 && at.host.startsWith('127.');
}
