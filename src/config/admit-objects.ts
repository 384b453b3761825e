/**
 * Which loaded objects are served, in file order: the settings document set apart (one, with the right
 * apiVersion), unknown kinds ignored with a warning, invalid objects skipped, and a later copy of a kind/namespace/name
 * skipped as a duplicate. Every finding is added to the load's diagnostics in object order.
 *
 * A reload walks every object here, so the outcome of each piece is computed once, when the piece is loaded (it
 * depends only on the piece, apart from duplicates and the settings document), and the duplicate check, the one part that needs
 * all objects at once, is skipped when the pieces are the last admission's with the same kind/namespace/name keys at
 * every position and that admission found no duplicate: the set of keys is then the same, so there is none now.
 */
import { formatFieldPath, type Diagnostic } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import type { AdmissionMemo, PieceOutcome, PlacedObjects } from './parse-cache.ts';
import { SETTINGS_KIND } from './document-objects.ts';
import { objectRef } from '../k8s/types.ts';
import { KINDS } from './validate/kinds.ts';

export const SETTINGS_API_VERSION = 'edgeway.io/v1alpha1';

export interface Admitted {
  readonly objects: readonly LoadedObject[];
  /** Objects left out for errors (duplicates included). */
  readonly skipped: number;
  readonly settingsDoc: LoadedObject | undefined;
}

/** Beyond this share of pieces changed, checking keys piece by piece is no cheaper than the duplicate check. */
const MAX_CHANGED_SHARE = 8;

export function admitObjects(
  placedAll: readonly PlacedObjects[],
  diagnostics: Diagnostic[],
  last: AdmissionMemo | undefined,
): { admitted: Admitted; memo: AdmissionMemo } {
  const state: Walk = { objects: [], diagnostics, skipped: 0, settingsDoc: undefined, first: null, unique: true };
  if (!sameKeys(last, placedAll)) state.first = new Map();
  for (const placed of placedAll) {
    const outcome = state.first === null ? placed.outcome : null;
    if (outcome === null) {
      for (let i = 0; i < placed.objects.length; i++) admitOne(state, placed.objects[i]!, placed.validations[i] ?? [], placed.keys[i]!);
      continue;
    }
    for (const o of outcome.objects) state.objects.push(o);
    if (outcome.findings.length > 0) diagnostics.push(...outcome.findings);
    state.skipped += outcome.errors;
  }
  return {
    admitted: { objects: state.objects, skipped: state.skipped, settingsDoc: state.settingsDoc },
    memo: { placed: placedAll, unique: state.unique },
  };
}

interface Walk {
  readonly objects: LoadedObject[];
  readonly diagnostics: Diagnostic[];
  skipped: number;
  settingsDoc: LoadedObject | undefined;
  /** First object by key; null when duplicates are known to be impossible. */
  first: Map<string, LoadedObject> | null;
  unique: boolean;
}

function admitOne(state: Walk, candidate: LoadedObject, validation: readonly Diagnostic[], key: string): void {
  const { kind, apiVersion } = candidate.object;
  const { diagnostics } = state;
  if (kind === SETTINGS_KIND) {
    if (apiVersion !== SETTINGS_API_VERSION) {
      diagnostics.push(
        objectError(
          candidate,
          'EW_API_VERSION_MISMATCH',
          ['apiVersion'],
          `${JSON.stringify(apiVersion)} is not served for ${kind}: use apiVersion: ${SETTINGS_API_VERSION}`,
        ),
      );
    } else if (state.settingsDoc !== undefined) {
      diagnostics.push(
        objectError(
          candidate,
          'EW_SETTINGS_DUPLICATE',
          [],
          `is a second ${kind} document (the first is at ${where(state.settingsDoc)}): keep one and merge the settings into it`,
        ),
      );
    } else {
      state.settingsDoc = candidate;
    }
    return;
  }
  if (!KINDS.has(kind) && apiVersion.startsWith('metallb.io/') && METALLB_ANNOUNCING.has(kind)) {
    diagnostics.push({
      severity: 'warning',
      code: 'EW_METALLB_NOT_ANNOUNCED',
      message:
        `edgeway does not announce addresses (no ARP, NDP or BGP), so this ${kind} has no effect: the addresses of its pools ` +
        'must already reach this machine (on loopback, on a local interface, or routed to it); the object is accepted and ignored',
      position: candidate.locate(['kind']),
      object: objectRef(candidate.object),
      field: 'kind',
    });
    return;
  }
  if (!KINDS.has(kind)) {
    diagnostics.push({
      severity: 'warning',
      code: 'EW_KIND_UNKNOWN',
      message: `edgeway does not handle ${kind} (${apiVersion}); the object is ignored`,
      position: candidate.locate(['kind']),
      object: objectRef(candidate.object),
      field: 'kind',
    });
    return;
  }
  let found = validation;
  // Identity is decided on every object of a known kind, valid or not, so which copy wins never depends on
  // whether the first one happens to have an error.
  if (state.first !== null) {
    const earlier = state.first.get(key);
    if (earlier === undefined) state.first.set(key, candidate);
    else {
      state.unique = false;
      found = [
        ...found,
        objectError(
          candidate,
          'EW_OBJECT_DUPLICATE',
          ['metadata', 'name'],
          `duplicates the ${kind} defined at ${where(earlier)}: this later copy is skipped; rename or remove one`,
        ),
      ];
    }
  }
  if (found.length === 0) {
    state.objects.push(candidate);
    return;
  }
  diagnostics.push(...found);
  if (found.some((d) => d.severity === 'error')) state.skipped++;
  else state.objects.push(candidate);
}

/**
 * What admission makes of a piece's objects on their own (the loader keeps it with the piece); null for a piece
 * holding a settings document, whose outcome depends on the documents before it.
 */
export function pieceOutcome(objects: readonly LoadedObject[], validations: readonly (readonly Diagnostic[])[], keys: readonly string[]): PieceOutcome | null {
  if (objects.some((o) => o.object.kind === SETTINGS_KIND)) return null;
  const state: Walk = { objects: [], diagnostics: [], skipped: 0, settingsDoc: undefined, first: null, unique: true };
  for (let i = 0; i < objects.length; i++) admitOne(state, objects[i]!, validations[i] ?? [], keys[i]!);
  return { objects: state.objects, findings: state.diagnostics, errors: state.skipped };
}

/** The pieces are the last admission's but for a few, each with the same keys in the same order, and it had no duplicate. */
function sameKeys(last: AdmissionMemo | undefined, placedAll: readonly PlacedObjects[]): boolean {
  if (last === undefined || !last.unique || last.placed.length !== placedAll.length) return false;
  let changed = 0;
  for (let i = 0; i < placedAll.length; i++) {
    const a = placedAll[i]!;
    const b = last.placed[i]!;
    if (a === b) continue;
    if (++changed > placedAll.length / MAX_CHANGED_SHARE + 1) return false;
    if (a.keys.length !== b.keys.length) return false;
    for (let k = 0; k < a.keys.length; k++) if (a.keys[k] !== b.keys[k]) return false;
  }
  return true;
}

function where(o: LoadedObject): string {
  return `${o.position.file}:${o.position.line}:${o.position.column}`;
}

function objectError(o: LoadedObject, code: Diagnostic['code'], path: readonly (string | number)[], message: string): Diagnostic {
  const field = formatFieldPath(path);
  return { severity: 'error', code, message, position: o.locate(path), object: objectRef(o.object), ...(field === '' ? {} : { field }) };
}

/** MetalLB's kinds about announcing addresses, which edgeway accepts and explains rather than calling unknown. */
const METALLB_ANNOUNCING: ReadonlySet<string> = new Set(['L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community']);
