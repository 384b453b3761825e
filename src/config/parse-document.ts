/**
 * Parses one piece of a YAML stream (see split-documents.ts) on its own, into a result that does not depend on where
 * the piece sits in its file: node ranges and problem positions are relative to the piece. That is what makes the
 * result cacheable by the piece's text alone; parse-yaml.ts adds the piece's starting line when it places it.
 */
import { LineCounter, parseAllDocuments, type Document, type Node, type YAMLError } from 'yaml';
import type { Code } from '../errors.ts';
import type { Severity } from './diagnostic.ts';
import { yamlLimitProblem } from './yaml-limits.ts';

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
}

export interface ParsedPiece {
  readonly documents: readonly PieceDocument[];
  readonly problems: readonly PieceProblem[];
  /** Offsets of the piece to lines and columns; ranges in `documents` are offsets into the piece. */
  readonly lines: LineCounter;
}

/** Aliases expanded per document before we refuse (guards against "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

export function parsePiece(text: string): ParsedPiece {
  const lines = new LineCounter();
  // Too deep or too large is refused before the parser sees it (yaml-limits.ts).
  const over = yamlLimitProblem(text);
  if (over !== undefined) return { documents: [], problems: [{ severity: 'error', ...over }], lines };
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: PieceProblem[] = [];
  const problem = (e: YAMLError, severity: Severity): PieceProblem => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { severity, message: `${e.message.replace(/\s+/g, ' ').trim()}: fix the YAML syntax here`, line, column: col };
  };
  const documents: PieceDocument[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) problems.push(problem(e, 'error'));
    for (const w of doc.warnings) problems.push(problem(w, 'warning'));
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
