/**
 * Files stay each replica's own configuration, so two replicas may define the same object differently (one was
 * deployed before the other). Each replica serves its own files; that must never go unseen, so every replica
 * publishes a fingerprint of each object its files define (`<prefix>/replicas/<name>/files`: one short hash per
 * object) and compares its own with the others'. A difference is a warning diagnostic on the object
 * (EW_REPLICA_FILES_DISAGREE), shown in /config/status and as an Event, on both replicas, until the files agree.
 * Only the hashes cross etcd: the objects stay on their machines.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef } from '../k8s/types.ts';

/** `Kind namespace/name` → hash of the object as the file defines it. */
export type FileFingerprints = Readonly<Record<string, string>>;

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

/** Another replica's published value; null when it cannot be read (a newer format, a hand edit). */
export function parsePublishedFiles(text: string): FileFingerprints | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    return Object.values(v).every((h) => typeof h === 'string') ? (v as FileFingerprints) : null;
  } catch {
    return null;
  }
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
