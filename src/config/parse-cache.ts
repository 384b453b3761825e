/**
 * Keeps the parsed pieces of the last load, keyed by their exact text, so a reload parses (and validates) only the
 * documents that changed. What is kept does not depend on where a piece sits in its file: parse trees with offsets
 * into the piece, and validation findings with lines counted from the piece's first line; the loader re-places them.
 * Bounded by the configuration itself: each load starts a new generation holding only the pieces it used, which
 * replaces the old one when the load settles. The owner (the running process) keeps one cache for its --config
 * files; a load without one parses everything.
 */
import type { Diagnostic } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import { parsePiece, type ParsedPiece } from './parse-document.ts';
import { resplitDocuments } from './resplit-documents.ts';
import { splitDocuments, type DocumentText } from './split-documents.ts';
import type { SourceNode } from './yaml-source.ts';

interface Entry {
  readonly parsed: ParsedPiece;
  /** Per object of the piece, in order: validation findings with piece-relative lines (see load-config.ts). */
  validations: readonly (readonly Diagnostic[])[] | undefined;
  /** The piece placed in a file at a line, by file and lines before it. */
  readonly placements: Map<string, Map<number, Placement>>;
}

/**
 * A piece as placed at one line of one file: its documents and the objects loaded from them. Positions are final
 * there, so a reload that finds the piece at the same place hands out the very same SourceNode and LoadedObject
 * instances, and later stages (the store, the compile memo) can tell an unchanged object by identity.
 */
export interface Placement {
  documents?: readonly SourceNode[];
  objects?: PlacedObjects;
}

export interface PlacedObjects {
  readonly objects: readonly LoadedObject[];
  /** documentObjects' findings for the piece's documents. */
  readonly diagnostics: readonly Diagnostic[];
  readonly malformed: number;
  /** Per object, validateObject's findings placed in the file. */
  readonly validations: readonly (readonly Diagnostic[])[];
  /** Per object, `kind/namespace/name`: what decides duplicates. */
  readonly keys: readonly string[];
}

/** Places kept per piece text: the same text at more places than this (copies of one document) starts over. */
const MAX_PLACEMENTS = 8;

/** What the last settled load did: pieces parsed anew, and pieces taken from the cache. */
export interface CacheUse {
  readonly parsed: number;
  readonly reused: number;
}

/** A file's text as the last load read it, and its pieces. */
interface FileSplit {
  readonly text: string;
  readonly pieces: readonly DocumentText[];
}

export class ParseCache {
  #entries = new Map<string, Entry>();
  #next = new Map<string, Entry>();
  #files = new Map<string, FileSplit>();
  #nextFiles = new Map<string, FileSplit>();
  #parsed = 0;
  #reused = 0;
  #last: CacheUse = { parsed: 0, reused: 0 };

  /**
   * The document pieces of `file`'s `text`: cut anew only around what changed since the last load of the same file
   * (resplit-documents.ts), so unchanged pieces come back as the same strings and are found again cheaply.
   */
  split(file: string, text: string): readonly DocumentText[] {
    const last = this.#nextFiles.get(file) ?? this.#files.get(file);
    const pieces = last === undefined ? splitDocuments(text) : resplitDocuments(last.text, last.pieces, text);
    this.#nextFiles.set(file, { text, pieces });
    return pieces;
  }

  /** The parse of `text`: from this load or the last one when the text is unchanged, else parsed now. */
  piece(text: string): ParsedPiece {
    return this.#entry(text).parsed;
  }

  /** The parse of `text` (as piece() gives it) and what is kept of it placed in `file` after `lineOffset` lines. */
  placed(text: string, file: string, lineOffset: number): { readonly parsed: ParsedPiece; readonly placement: Placement } {
    const entry = this.#entry(text);
    let inFile = entry.placements.get(file);
    if (inFile === undefined) entry.placements.set(file, (inFile = new Map()));
    let placement = inFile.get(lineOffset);
    if (placement === undefined) {
      if (inFile.size >= MAX_PLACEMENTS) inFile.clear();
      inFile.set(lineOffset, (placement = {}));
    }
    return { parsed: entry.parsed, placement };
  }

  validations(text: string): readonly (readonly Diagnostic[])[] | undefined {
    return this.#next.get(text)?.validations;
  }

  rememberValidations(text: string, validations: readonly (readonly Diagnostic[])[]): void {
    const entry = this.#next.get(text);
    if (entry !== undefined) entry.validations = validations;
  }

  /** Ends a load: what it used becomes the cache, everything else is dropped. */
  settle(): CacheUse {
    this.#entries = this.#next;
    this.#next = new Map();
    this.#files = this.#nextFiles;
    this.#nextFiles = new Map();
    this.#last = { parsed: this.#parsed, reused: this.#reused };
    this.#parsed = 0;
    this.#reused = 0;
    return this.#last;
  }

  /** Counts of the last settled load. */
  get lastLoad(): CacheUse {
    return this.#last;
  }

  #entry(text: string): Entry {
    const current = this.#next.get(text);
    if (current !== undefined) {
      this.#reused++;
      return current;
    }
    const kept = this.#entries.get(text);
    if (kept !== undefined) {
      this.#reused++;
      this.#next.set(text, kept);
      return kept;
    }
    this.#parsed++;
    const entry: Entry = { parsed: parsePiece(text), validations: undefined, placements: new Map() };
    this.#next.set(text, entry);
    return entry;
  }
}
