/**
 * The configuration loader: --config paths in, valid objects, settings and every diagnostic out, all at once.
 * (Internally it works document by document, reusing the last load's parses through a ParseCache, and yields
 * between documents so loadConfig can run in slices; see parse-yaml.ts and steps.ts.)
 *
 * Problems are graded. Unreadable input (a missing file, bad YAML, an empty or binary file, a file over the size
 * limit) makes the load fatal: nothing from it should be served, and a reload keeps the previous snapshot. A bad
 * object only costs itself: it is skipped and counted, the rest load. Warnings (unknown kinds and fields) keep the
 * object. Files are read in the order given; objects keep file order.
 */
import type { Diagnostic } from './diagnostic.ts';
import { admitObjects, pieceOutcome } from './admit-objects.ts';
import type { LoadedObject } from './loaded-object.ts';
import type { Settings } from './settings.ts';
import { documentObjectsSteps } from './document-objects.ts';
import { ParseCache, type PlacedObjects, type PlacedPiece } from './parse-cache.ts';
import { parseYamlSteps } from './parse-yaml.ts';
import { binaryTextDiagnostic, readSources, type SourceText } from './read-sources.ts';
import { DEFAULT_SETTINGS } from './settings-defaults.ts';
import { resolveSettings } from './settings-document.ts';
import { runSliced, runSync, type Steps } from './steps.ts';
import { validateObject } from './validate/validate-object.ts';
import type { YamlLimits } from './yaml-limits.ts';

export interface ConfigLoad {
  /** Valid Kubernetes objects, in file order; the settings document is not among them. */
  readonly objects: readonly LoadedObject[];
  /** From the settings document, or the defaults when there is none. */
  readonly settings: Settings;
  /** Every problem found, errors and warnings. */
  readonly diagnostics: readonly Diagnostic[];
  /** Objects left out because they were invalid (unknown kinds are ignored, not counted). */
  readonly skipped: number;
  /** The input is unreadable as a whole; `objects` is then empty and nothing should be served. */
  readonly fatal: boolean;
}

export { SETTINGS_API_VERSION } from './admit-objects.ts';

/**
 * Reads and validates the files and directories in `paths`. `maxBytes` caps each file (default 16 MiB) and
 * `yamlLimits` each document; on reload, pass the running `settings.maxConfigBytes` and `settings.yamlLimits`, since
 * a file's own settings cannot apply before the file is read.
 * `cache`, kept by the caller from one load to the next, lets a reload reparse and revalidate only the documents
 * whose text changed. The work is done in slices that give the event loop a turn, so serving continues meanwhile.
 */
export async function loadConfig(paths: readonly string[], options: LoadOptions & { maxBytes?: number } = {}): Promise<ConfigLoad> {
  const read = await readSources(paths, options.maxBytes ?? DEFAULT_SETTINGS.maxConfigBytes);
  return runSliced(assemble(read.sources, read.diagnostics, read.fatal, cacheFor(options), options.apiFiles ?? NO_FILES));
}

export interface LoadOptions {
  /** Kept by the caller from one load to the next: a reload reparses only what changed. */
  readonly cache?: ParseCache;
  /**
   * Files among the paths that hold objects written through the admin API (the applied layer): their objects get
   * the API origin; every other object's origin is its file and position. A file path, exactly as given in paths.
   */
  readonly apiFiles?: readonly string[];
  /** Bounds on each document (settings `spec.yaml`); the defaults when absent. */
  readonly yamlLimits?: YamlLimits;
}

const NO_FILES: readonly string[] = Object.freeze([]);

/** The same as loadConfig for texts already in memory (tests, the admin API), all at once. */
export function loadConfigText(files: readonly { path: string; text: string }[], options: LoadOptions = {}): ConfigLoad {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceText[] = [];
  for (const f of files) {
    const binary = binaryTextDiagnostic(f.path, f.text);
    if (binary === undefined) sources.push(f);
    else diagnostics.push(binary);
  }
  return runSync(assemble(sources, diagnostics, diagnostics.length > 0, cacheFor(options), options.apiFiles ?? NO_FILES));
}

/** The caller's cache (or a fresh one), set to parse under the load's YAML limits. */
function cacheFor(options: LoadOptions): ParseCache {
  const cache = options.cache ?? new ParseCache();
  cache.useLimits(options.yamlLimits ?? DEFAULT_SETTINGS.yamlLimits);
  return cache;
}

function* assemble(
  sources: readonly SourceText[],
  initial: readonly Diagnostic[],
  initialFatal: boolean,
  cache: ParseCache,
  apiFiles: readonly string[],
): Steps<ConfigLoad> {
  const diagnostics: Diagnostic[] = [...initial];
  let fatal = initialFatal;
  let skipped = 0;
  // The objects of each piece, in file order (no per-object records: a reload walks 10,000 of them).
  const placedAll: PlacedObjects[] = [];
  for (const source of sources) {
    const parsed = yield* parseYamlSteps(source.path, source.text.replace(/^\uFEFF/, ''), cache);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.fatal) {
      fatal = true;
      continue;
    }
    // Pieces kept from the last load already have their objects; the others are loaded, a turn offered after each.
    const pieces = parsed.pieces;
    const fileStart = placedAll.length;
    // Decided once per file at the edge; the cache keeps placed pieces per file, so a kept piece keeps its origin.
    const api = apiFiles.includes(source.path);
    for (let i = takeLoaded(pieces, 0, placedAll); i < pieces.length; i = takeLoaded(pieces, i, placedAll)) {
      const piece = pieces[i]!;
      piece.placement.objects = yield* loadPiece(cache, piece, source.path, api);
      yield;
    }
    skipped += gather(placedAll, fileStart, diagnostics);
  }

  const { admitted, memo } = admitObjects(placedAll, diagnostics, cache.admission);
  cache.admission = memo;
  skipped += admitted.skipped;
  const { objects, settingsDoc } = admitted;

  const resolved = resolveSettings(settingsDoc);
  diagnostics.push(...resolved.diagnostics);
  cache.settle();
  return { objects: fatal ? [] : objects, settings: resolved.settings, diagnostics, skipped, fatal };
}

/**
 * Appends to `placedAll` the objects of pieces[from...] up to the first piece not loaded yet; returns its index
 * (pieces.length when none is left). Plain functions, not generator code, so V8 optimises the loops every reload runs.
 */
function takeLoaded(pieces: readonly PlacedPiece[], from: number, placedAll: PlacedObjects[]): number {
  let i = from;
  for (; i < pieces.length; i++) {
    const placed = pieces[i]!.placement.objects;
    if (placed === undefined) break;
    placedAll.push(placed);
  }
  return i;
}

/** Adds the findings of placedAll[from...] to `diagnostics`, in order; returns how many documents were malformed. */
function gather(placedAll: readonly PlacedObjects[], from: number, diagnostics: Diagnostic[]): number {
  let malformed = 0;
  for (let i = from; i < placedAll.length; i++) {
    const placed = placedAll[i]!;
    if (placed.diagnostics.length > 0) diagnostics.push(...placed.diagnostics);
    malformed += placed.malformed;
  }
  return malformed;
}

/**
 * The objects of a piece placed in its file, with their findings: what a reload reuses while the piece stays put.
 * Yields between the objects of a List and between validations, so one document of thousands is no longer one step.
 */
function* loadPiece(cache: ParseCache, piece: PlacedPiece, file: string, api: boolean): Steps<PlacedObjects> {
  const objects: LoadedObject[] = [];
  const diagnostics: Diagnostic[] = [];
  let malformed = 0;
  for (const doc of piece.documents) {
    const found = yield* documentObjectsSteps(doc, api);
    objects.push(...found.objects);
    diagnostics.push(...found.diagnostics);
    malformed += found.malformed;
  }
  const keys = objects.map(({ object: { kind, metadata } }) => `${kind}/${metadata.namespace ?? ''}/${metadata.name}`);
  const validations = yield* validatePiece(cache, piece, file, objects);
  return { objects, diagnostics, malformed, validations, keys, outcome: pieceOutcome(objects, validations, keys) };
}

/**
 * validateObject for each object of a piece, or its findings from the last load when the piece's text is unchanged
 * (validation is a pure function of the object, and the object of the text). Cached findings keep lines counted from
 * the piece's first line and are placed again here; every position they carry is in the piece's own file.
 */
function* validatePiece(cache: ParseCache, piece: PlacedPiece, file: string, objects: readonly LoadedObject[]): Steps<readonly (readonly Diagnostic[])[]> {
  const kept = cache.validations(piece.text);
  if (kept !== undefined && kept.length === objects.length) return kept.map((ds) => (ds.length === 0 ? ds : ds.map((d) => shift(d, file, piece.lineOffset))));
  const found: (readonly Diagnostic[])[] = [];
  for (const o of objects) {
    found.push(validateObject(o));
    if (objects.length > 1) yield;
  }
  cache.rememberValidations(
    piece.text,
    found.map((ds) => ds.map((d) => shift(d, '', -piece.lineOffset))),
  );
  return found;
}

function shift(d: Diagnostic, file: string, lines: number): Diagnostic {
  if (d.position === undefined) return d;
  return { ...d, position: { file, line: d.position.line + lines, column: d.position.column } };
}
