/**
 * Keeps the parsed pieces of the last load, keyed by their exact text, so a reload parses (and validates) only the
 * documents that changed. What is kept does not depend on where a piece sits in its file: parse trees with offsets
 * into the piece, and validation findings with lines counted from the piece's first line; the loader re-places them.
 * Bounded by the configuration itself: an entry lives while a piece of the last settled load (any file) is its text,
 * counted per use when a load settles. The owner (the running process) keeps one cache for its --config files; a
 * load without one parses everything.
 *
 * Per file it also keeps the last load's text, pieces and placed pieces: a reload cuts only around the change
 * (resplit-documents.ts) and hands back the placed pieces before and after it whole, without looking them up.
 *
 * The shapes of what it keeps (placed pieces, their objects, admission outcomes) are declared here, so the stages
 * that fill it (parse-yaml.ts, load-config.ts, admit-objects.ts) import the cache and it imports none of them.
 */
import type { Diagnostic } from './diagnostic.ts';
import type { LoadedObject } from './loaded-object.ts';
import { parsePieceSteps, type ParsedPiece } from './parse-document.ts';
import { resplitDocuments } from './resplit-documents.ts';
import { splitDocuments, type DocumentText } from './split-documents.ts';
import { runSync, type Steps } from './steps.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './yaml-limits.ts';
import type { SourceNode } from './yaml-source.ts';

interface Entry {
  readonly text: string;
  readonly parsed: ParsedPiece;
  /** Pieces of the last settled load that are this text. */
  uses: number;
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

/** What the cache itself keeps on a placement: the entry it belongs to, for counting uses. */
interface Slot extends Placement {
  readonly entry: Entry;
}

/** The documents of one piece of a file, placed in it (parse-yaml.ts makes them). */
export interface PlacedPiece {
  /** The piece's exact text: its key in the parse cache. */
  readonly text: string;
  /** Lines of the file before the piece. */
  readonly lineOffset: number;
  readonly documents: readonly SourceNode[];
  /** What the cache keeps of the piece at this place (load-config.ts keeps its objects there). */
  readonly placement: Placement;
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
  /** What admission makes of the piece on its own (admit-objects.ts); null when it holds a settings document. */
  readonly outcome: PieceOutcome | null;
}

/** What an admission saw, for the next one (admit-objects.ts makes it; the cache keeps the last one). */
export interface AdmissionMemo {
  readonly placed: readonly PlacedObjects[];
  /** No kind/namespace/name occurred twice. */
  readonly unique: boolean;
}

/** The outcome of one piece without settings documents, apart from duplicates (admit-objects.ts). */
export interface PieceOutcome {
  readonly objects: readonly LoadedObject[];
  readonly findings: readonly Diagnostic[];
  readonly errors: number;
}

/** Places kept per piece text: the same text at more places than this (copies of one document) starts over. */
const MAX_PLACEMENTS = 8;

/** What the last settled load did: pieces parsed anew, and pieces taken from the cache. */
export interface CacheUse {
  readonly parsed: number;
  readonly reused: number;
}

/** A file as the last load of it read it: its text, pieces, and the pieces placed (one for each). */
interface FileLoad {
  readonly text: string;
  readonly pieces: readonly DocumentText[];
  readonly placed: readonly PlacedPiece[];
  /** No piece had YAML problems (those are reported from each parse, so a file with some is walked again). */
  readonly clean: boolean;
}

/** The pieces of a file's new text, and how many at each end are the last load's, placed as they were. */
export interface FileSplit {
  readonly pieces: readonly DocumentText[];
  /** pieces[i] is placed as previous[i] for i < head. */
  readonly head: number;
  /** The last `tail` pieces are placed as the last `tail` of previous. */
  readonly tail: number;
  readonly previous: readonly PlacedPiece[];
}

const NO_PIECES: readonly PlacedPiece[] = [];

export class ParseCache {
  #entries = new Map<string, Entry>();
  /** Entries made by the load under way; those no settled file uses are dropped when it settles. */
  #added: Entry[] = [];
  #files = new Map<string, FileLoad>();
  #nextFiles = new Map<string, FileLoad>();
  #parsed = 0;
  #reused = 0;
  #last: CacheUse = { parsed: 0, reused: 0 };
  /** What the last load admitted (admit-objects.ts), so the next can skip the duplicate check when keys are unchanged. */
  admission: AdmissionMemo | undefined;
  #limits: YamlLimits = DEFAULT_YAML_LIMITS;

  /**
   * The YAML limits pieces are parsed under from now on. A parse depends on them (a piece over one is refused), so
   * different limits drop everything kept; equal ones keep it.
   */
  useLimits(limits: YamlLimits): void {
    if (limits.maxDepth === this.#limits.maxDepth && limits.maxDocumentChars === this.#limits.maxDocumentChars) return;
    this.#limits = limits;
    this.#entries = new Map();
    this.#added = [];
    this.#files = new Map();
    this.#nextFiles = new Map();
    this.admission = undefined;
  }

  /**
   * The document pieces of `file`'s `text`, cut anew only around what changed since the last load of the same file
   * (resplit-documents.ts), with the unchanged pieces at each end that can be handed back placed as they were.
   * Give the placed pieces back with done().
   */
  split(file: string, text: string): FileSplit {
    const last = this.#nextFiles.get(file) ?? this.#files.get(file);
    if (last === undefined) return { pieces: splitDocuments(text), head: 0, tail: 0, previous: NO_PIECES };
    const pieces = resplitDocuments(last.text, last.pieces, text);
    if (!last.clean) return { pieces, head: 0, tail: 0, previous: NO_PIECES };
    const previous = last.placed;
    const before = last.pieces;
    const most = Math.min(pieces.length, before.length);
    let head = 0;
    while (head < most && pieces[head] === before[head]) head++;
    let tail = 0;
    while (tail < most - head && pieces[pieces.length - 1 - tail] === before[before.length - 1 - tail]) tail++;
    this.#reused += head + tail;
    return { pieces, head, tail, previous };
  }

  /** Records the file as this load placed it (`clean`: no piece had YAML problems). */
  done(file: string, text: string, pieces: readonly DocumentText[], placed: readonly PlacedPiece[], clean: boolean): void {
    this.#nextFiles.set(file, { text, pieces, placed, clean });
  }

  /** The parse of `text`: from this load or the last one when the text is unchanged, else parsed now. */
  piece(text: string): ParsedPiece {
    return runSync(this.#entry(text)).parsed;
  }

  /** The parse of `text` (as piece() gives it) and what is kept of it placed in `file` after `lineOffset` lines. */
  placed(text: string, file: string, lineOffset: number): { readonly parsed: ParsedPiece; readonly placement: Placement } {
    return runSync(this.placedSteps(text, file, lineOffset));
  }

  /** placed() as steps: a parse that has to be made yields within it (a large List, item by item). */
  *placedSteps(text: string, file: string, lineOffset: number): Steps<{ readonly parsed: ParsedPiece; readonly placement: Placement }> {
    const entry = yield* this.#entry(text);
    let inFile = entry.placements.get(file);
    if (inFile === undefined) entry.placements.set(file, (inFile = new Map()));
    let placement = inFile.get(lineOffset);
    if (placement === undefined) {
      if (inFile.size >= MAX_PLACEMENTS) inFile.clear();
      const slot: Slot = { entry };
      inFile.set(lineOffset, (placement = slot));
    }
    return { parsed: entry.parsed, placement };
  }

  validations(text: string): readonly (readonly Diagnostic[])[] | undefined {
    return this.#entries.get(text)?.validations;
  }

  rememberValidations(text: string, validations: readonly (readonly Diagnostic[])[]): void {
    const entry = this.#entries.get(text);
    if (entry !== undefined) entry.validations = validations;
  }

  /**
   * Ends a load: the entries its files use are kept, every other one is dropped. Counting uses touches each piece
   * once (no lookups by text); only entries that lose their last use are deleted.
   */
  settle(): CacheUse {
    for (const load of this.#nextFiles.values()) for (const p of load.placed) (p.placement as Slot).entry.uses++;
    for (const load of this.#files.values()) for (const p of load.placed) this.#release((p.placement as Slot).entry);
    for (const entry of this.#added) if (entry.uses === 0) this.#entries.delete(entry.text);
    this.#added = [];
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

  *#entry(text: string): Steps<Entry> {
    const kept = this.#entries.get(text);
    if (kept !== undefined) {
      this.#reused++;
      return kept;
    }
    this.#parsed++;
    const parsed = yield* parsePieceSteps(text, this.#limits);
    const entry: Entry = { text, parsed, uses: 0, validations: undefined, placements: new Map() };
    this.#entries.set(text, entry);
    this.#added.push(entry);
    return entry;
  }

  #release(entry: Entry): void {
    if (--entry.uses === 0) this.#entries.delete(entry.text);
  }
}
