/**
 * Parses one piece of a YAML stream (see split-documents.ts) on its own, into a result that does not depend on where
 * the piece sits in its file: node ranges and problem positions are relative to the piece. That is what makes the
 * result cacheable by the piece's text alone; parse-yaml.ts adds the piece's starting line when it places it.
 *
 * A large `kind: List` is parsed item by item (list-items.ts cuts it), yielding between items so the event loop gets
 * turns during it; the result reads the same as the whole parse (the same values, the same positions), and whenever
 * the cut cannot be shown sound by the parses themselves the piece is parsed whole.
 */
import { isNode, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLError } from 'yaml';
import type { Code } from '../errors.ts';
import type { Severity } from './diagnostic.ts';
import { cutListItems, type ListCut } from './list-items.ts';
import { runSync, type Steps } from './steps.ts';
import { DEFAULT_YAML_LIMITS, yamlLimitProblem, type YamlLimits } from './yaml-limits.ts';

/** A YAML error or warning, at a line and column counted from the start of the piece (both 1-based). */
export interface PieceProblem {
  readonly severity: Severity;
  /** EW_YAML_SYNTAX when absent. */
  readonly code?: Code;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface PieceDocument {
  readonly doc: Document;
  readonly contents: Node;
  /** The plain JavaScript value; never null or undefined (empty documents are dropped). */
  readonly value: unknown;
  /**
   * A List parsed item by item: `doc` and `contents` are then its header's (`items` parsed as null) and `value` the
   * whole List; each item carries its own tree, placed `lineOffset` lines into the piece.
   */
  readonly items?: readonly PieceItem[];
}

/** One item of a List parsed on its own (see PieceDocument.items). */
export interface PieceItem {
  readonly doc: Document;
  /** The item's node (the one entry of the sequence its text parses to). */
  readonly node: Node;
  readonly value: unknown;
  readonly lines: LineCounter;
  /** Lines of the piece before the item. */
  readonly lineOffset: number;
}

export interface ParsedPiece {
  readonly documents: readonly PieceDocument[];
  readonly problems: readonly PieceProblem[];
  /** Offsets of the piece to lines and columns; ranges in `documents` are offsets into the piece. */
  readonly lines: LineCounter;
}

/** Aliases expanded per document before we refuse (guards against "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

export function parsePiece(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedPiece {
  return runSync(parsePieceSteps(text, limits));
}

/** parsePiece as steps: a large List yields after each item parsed (steps.ts). */
export function* parsePieceSteps(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): Steps<ParsedPiece> {
  // Too deep or too large is refused before the parser sees it (yaml-limits.ts).
  const over = yamlLimitProblem(text, limits);
  if (over !== undefined) return { documents: [], problems: [{ severity: 'error', ...over }], lines: new LineCounter() };
  const cut = cutListItems(text);
  if (cut !== undefined) {
    const list = yield* parseListSteps(cut);
    if (list !== undefined) return list;
  }
  return parseWhole(text);
}

/** The piece parsed in one go, as a YAML stream. */
export function parseWhole(text: string): ParsedPiece {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: PieceProblem[] = [];
  const documents: PieceDocument[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) problems.push(problem(lines, e, 'error'));
    for (const w of doc.warnings) problems.push(problem(lines, w, 'warning'));
    if (doc.errors.length > 0 || doc.contents === null) continue;
    try {
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (value === null || value === undefined) continue;
      documents.push({ doc, contents: doc.contents, value });
    } catch (e) {
      const { line, col } = lines.linePos(doc.contents.range?.[0] ?? 0);
      const reason = e instanceof Error ? e.message : String(e);
      problems.push({ severity: 'error', message: `cannot read this document: ${reason}`, line, column: col });
    }
  }
  return { documents, problems, lines };
}

/**
 * The List of `cut` parsed header first, then item by item; undefined (parse it whole) at the first sign that the
 * cut does not read as the whole would: any error, a header that is not one `kind: List` mapping with `items`
 * emptied, an item that is not exactly one sequence entry. Warnings are kept, placed in the piece.
 */
function* parseListSteps(cut: ListCut): Steps<ParsedPiece | undefined> {
  const lines = gapLineCounter(cut.gap.at, cut.gap.lines);
  const headerDocs = parseAllDocuments(cut.header, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const header = headerDocs.length === 1 ? headerDocs[0] : undefined;
  if (header === undefined || header.errors.length > 0 || header.contents === null) return undefined;
  const problems: PieceProblem[] = header.warnings.map((w) => problem(lines, w, 'warning'));
  const headerValue = readJs(header);
  if (!isListHeader(headerValue)) return undefined;
  yield;
  const items: PieceItem[] = [];
  const values: unknown[] = [];
  for (const item of cut.items) {
    const itemLines = new LineCounter();
    const docs = parseAllDocuments(item.text, { lineCounter: itemLines, prettyErrors: false, uniqueKeys: true });
    const doc = docs.length === 1 ? docs[0] : undefined;
    if (doc === undefined || doc.errors.length > 0 || !isSeq(doc.contents) || doc.contents.items.length !== 1) return undefined;
    const node = doc.contents.items[0];
    const value = readJs(doc);
    if (!isNode(node) || !Array.isArray(value) || value.length !== 1) return undefined;
    for (const w of doc.warnings) {
      const p = problem(itemLines, w, 'warning');
      problems.push({ ...p, line: p.line + item.lineOffset });
    }
    items.push({ doc, node, value: value[0], lines: itemLines, lineOffset: item.lineOffset });
    values.push(value[0]);
    yield;
  }
  const value = { ...headerValue, items: values };
  return { documents: [{ doc: header, contents: header.contents, value, items }], problems, lines };
}

/** Line positions of a List header: offsets from `at` on (after the items cut out) sit `gap` lines lower. */
function gapLineCounter(at: number, gap: number): LineCounter {
  const lines = new LineCounter();
  const linePos = lines.linePos;
  lines.linePos = (offset) => {
    const pos = linePos(offset);
    return offset < at ? pos : { line: pos.line + gap, col: pos.col };
  };
  return lines;
}

/** The document's value, or undefined when it cannot be read (too many aliases, say: the whole parse reports it). */
function readJs(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return undefined;
  }
}

function isListHeader(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return record['kind'] === 'List' && 'items' in record && record['items'] === null;
}

function problem(lines: LineCounter, e: YAMLError, severity: Severity): PieceProblem {
  const { line, col } = lines.linePos(e.pos[0]);
  return { severity, message: `${e.message.replace(/\s+/g, ' ').trim()}: fix the YAML syntax here`, line, column: col };
}
