/**
 * Files stay each replica's own configuration, so two replicas may define the same object differently (one was
 * deployed before the other). Each replica serves its own files; that must never go unseen, so every replica
 * publishes a fingerprint of each object its files define (`<prefix>/replicas/<name>/files`: one short hash per
 * object) and compares its own with the others'. A difference is a warning diagnostic on the object
 * (EW_REPLICA_FILES_DISAGREE), shown in /config/status and as an Event, on both replicas, until the files agree.
 * A peer's value that cannot be read is a warning too (EW_REPLICA_FILES_UNREADABLE). Only the hashes cross etcd:
 * the objects stay on their machines.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef } from '../k8s/types.ts';

/** `Kind namespace/name` → hash of the object as the file defines it. */
export type FileFingerprints = Readonly<Record<string, string>>;

/** A peer's published value as read: its fingerprints, or why they cannot be read. */
export type PeerFiles = { readonly fingerprints: FileFingerprints } | { readonly problem: Diagnostic };

const hashes = new WeakMap<LoadedObject, string>();

/** The fingerprints of the file objects among `objects`; an object unchanged since the last call is not hashed again. */
export function fileFingerprints(objects: readonly LoadedObject[]): FileFingerprints {
  const out: Record<string, string> = {};
  for (const loaded of objects) {
    if (loaded.origin.kind !== 'file') continue;
    let hash = hashes.get(loaded);
    if (hash === undefined) {
      hash = createHash('sha1').update(JSON.stringify(loaded.object)).digest('base64url').slice(0, 12);
      hashes.set(loaded, hash);
    }
    out[objectRef(loaded.object)] = hash;
  }
  return out;
}

/** The published value, keys sorted so that equal files publish equal text (and nothing is written again). */
export function publishedFiles(fingerprints: FileFingerprints): string {
  return JSON.stringify(Object.fromEntries(Object.entries(fingerprints).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * Another replica's published value, or a warning naming its key when it cannot be read (a newer format, a hand
 * edit): this replica then cannot compare its files with that replica's, and says so rather than going quiet.
 */
export function decodePeerFiles(replica: string, key: string, text: string): PeerFiles {
  const problem = (why: string): PeerFiles => ({
    problem: {
      severity: 'warning',
      code: 'EW_REPLICA_FILES_UNREADABLE',
      position: { file: `etcd:${key}`, line: 1, column: 1 },
      message: `etcd key ${key}: ${why}; the files of replica ${replica} cannot be compared with this replica's until it publishes a readable value`,
    },
  });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    return problem(`the value is not JSON (${(error as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return problem('the value is not an object of fingerprints');
  for (const [ref, hash] of Object.entries(v)) {
    if (typeof hash !== 'string') return problem(`the fingerprint of ${JSON.stringify(ref)} is not a string`);
  }
  return { fingerprints: v as FileFingerprints };
}

/** One warning per object this replica's files define differently from another replica's, naming that replica. */
export function fileDisagreements(objects: readonly LoadedObject[], own: FileFingerprints, peers: ReadonlyMap<string, FileFingerprints>): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (peers.size === 0) return out;
  for (const loaded of objects) {
    if (loaded.origin.kind !== 'file') continue;
    const ref = objectRef(loaded.object);
    const mine = own[ref];
    const differ = [...peers].filter(([, theirs]) => theirs[ref] !== undefined && theirs[ref] !== mine).map(([name]) => name);
    if (differ.length === 0) continue;
    out.push({
      severity: 'warning',
      code: 'EW_REPLICA_FILES_DISAGREE',
      object: ref,
      position: loaded.position,
      message:
        `the configuration files of replica(s) ${differ.sort().join(', ')} define this object differently; ` +
        'each replica serves its own files, so clients see different behaviour depending on the replica: make the files agree',
    });
  }
  return out;
}
