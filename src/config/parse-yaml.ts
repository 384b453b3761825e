/**
 * Parses one file's text into its YAML documents, keeping positions. Any YAML error makes the file unusable (it is
 * reported with its line and column, all of them at once); documents with no content (a trailing `---`, comments)
 * are dropped, and a file with no content at all is reported as empty.
 *
 * The file is cut into document pieces first (split-documents.ts) and each piece is parsed on its own, through the
 * cache when there is one, then placed at its line in the file: positions are the same as a whole-file parse gives,
 * and a reload reparses only the pieces whose text changed (and cuts anew only around the change: resplit-documents.ts).
 */
import type { Diagnostic } from './diagnostic.ts';
import { ParseCache, type PlacedPiece } from './parse-cache.ts';
import { REUSED_PER_TURN, runSync, type Steps } from './steps.ts';
import type { ParsedPiece, PieceDocument } from './parse-document.ts';
import { listSourceNode, sourceNode, type SourceNode } from './yaml-source.ts';

/** A file's documents by piece (what the loader uses: it never needs them in one list). */
export interface ParsedPieces {
  readonly pieces: readonly PlacedPiece[];
  readonly diagnostics: readonly Diagnostic[];
  /** True when the file cannot be used at all (YAML errors, or empty). */
  readonly fatal: boolean;
}

export interface ParsedFile extends ParsedPieces {
  readonly documents: readonly SourceNode[];
}

/** The whole file at once, without a cache (the admin API's request bodies). */
export function parseYamlFile(file: string, text: string): ParsedFile {
  const parsed = runSync(parseYamlSteps(file, text, new ParseCache()));
  return { ...parsed, documents: parsed.pieces.flatMap((p) => p.documents) };
}

/**
 * Yields after each piece parsed or placed anew (and after every REUSED_PER_TURN kept ones), so a caller can give
 * the event loop a turn between them. The pieces the cache hands back placed as in the last load of the file (those
 * around the change) are taken whole; a file that had YAML problems is never handed back so.
 */
export function* parseYamlSteps(file: string, text: string, cache: ParseCache): Steps<ParsedPieces> {
  const diagnostics: Diagnostic[] = [];
  let documents = 0;
  const pieces: PlacedPiece[] = [];
  const split = cache.split(file, text);
  const { head, previous } = split;
  const tailFrom = split.pieces.length - split.tail;
  const shift = previous.length - split.pieces.length;
  let reused = 0;
  for (let i = 0; i < split.pieces.length; i++) {
    if (i < head) documents += takeKept(previous, i, head, 0, pieces);
    if (i < head) i = head;
    if (i >= tailFrom) documents += takeKept(previous, i, split.pieces.length, shift, pieces);
    if (i >= tailFrom) i = split.pieces.length;
    if (i === split.pieces.length) break;
    const piece = split.pieces[i]!;
    const lineOffset = piece.line - 1;
    const { parsed, placement } = yield* cache.placedSteps(piece.text, file, lineOffset);
    for (const p of parsed.problems) {
      diagnostics.push({
        severity: p.severity,
        code: p.code ?? 'EW_YAML_SYNTAX',
        message: p.message,
        position: { file, line: p.line + lineOffset, column: p.column },
      });
    }
    // The same piece at the same place gives the same nodes (and so, in load-config.ts, the same objects).
    let placed = placement.documents;
    if (placed === undefined) {
      placed = placement.documents = parsed.documents.map((d) => place(d, parsed, file, lineOffset));
      reused = REUSED_PER_TURN;
    }
    documents += placed.length;
    pieces.push({ text: piece.text, lineOffset, documents: placed, placement });
    if (++reused >= REUSED_PER_TURN) {
      reused = 0;
      yield;
    }
  }
  cache.done(file, text, split.pieces, pieces, diagnostics.length === 0);
  const errors = diagnostics.some((d) => d.severity === 'error');
  if (!errors && documents === 0) {
    diagnostics.push({
      severity: 'error',
      code: 'EW_FILE_EMPTY',
      message: `${file} has no YAML documents (it is empty or only comments): add Kubernetes objects, or leave the file out of --config`,
      position: { file, line: 1, column: 1 },
    });
  }
  return { pieces, diagnostics, fatal: errors || documents === 0 };
}

/** A document of a piece as a SourceNode placed in its file (a List parsed item by item, its items each placed). */
function place(d: PieceDocument, parsed: ParsedPiece, file: string, lineOffset: number): SourceNode {
  const node = sourceNode(d.contents, d.value, d.doc, parsed.lines, file, lineOffset);
  if (d.items === undefined) return node;
  return listSourceNode(
    node,
    d.items.map((i) => sourceNode(i.node, i.value, i.doc, i.lines, file, lineOffset + i.lineOffset)),
    d.value,
  );
}

/**
 * Appends the kept pieces[from, to) (previous[i + shift]); returns how many documents they hold. A plain function,
 * not generator code, so V8 optimises the loop every reload runs.
 */
function takeKept(previous: readonly PlacedPiece[], from: number, to: number, shift: number, pieces: PlacedPiece[]): number {
  let documents = 0;
  for (let i = from; i < to; i++) {
    const kept = previous[i + shift]!;
    documents += kept.documents.length;
    pieces.push(kept);
  }
  return documents;
}
