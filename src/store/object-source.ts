/**
 * Where objects come from, behind one small interface: the configuration files are one source, the objects written
 * through the admin API (the applied layer) another, and a shared store such as etcd can be a third. A source lists
 * everything it holds with a revision, and reports each change after a given revision; the caller then lists again
 * and compiles the whole (sources hand over whole listings, so a source without a change history, like a set of
 * files, fits as well as one with it). Each object carries its origin (config/loaded-object.ts).
 */
import type { LoadedObject } from '../config/loaded-object.ts';

export interface ObjectListing {
  /** Every object of the source, in its order. */
  readonly objects: readonly LoadedObject[];
  /** Grows with each change the source has seen; the listing holds at least the changes up to it. */
  readonly revision: number;
}

/** A running watch; close() stops the reports. */
export interface SourceWatch {
  close(): void;
}

export interface ObjectSource<L extends ObjectListing = ObjectListing> {
  list(): Promise<L>;
  /**
   * Calls `onChange` with the new revision for each change after `fromRevision` (at once, once, when the source is
   * already past it). `onError` hears problems of the watch itself; the last listing stays valid meanwhile.
   */
  watch(fromRevision: number, onChange: (revision: number) => void, onError: (err: Error) => void): Promise<SourceWatch>;
}
