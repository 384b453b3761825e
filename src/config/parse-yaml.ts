/**
 * Parses one file's text into its YAML documents, keeping positions. Any YAML error makes the file unusable (it is
 * reported with its line and column, all of them at once); documents with no content (a trailing `---`, comments)
 * are dropped, and a file with no content at all is reported as empty.
 */
import { LineCounter, parseAllDocuments, type YAMLError } from 'yaml';
import type { Diagnostic } from './diagnostic.ts';
import { sourceNode, type SourceNode } from './yaml-source.ts';

export interface ParsedFile {
  readonly documents: readonly SourceNode[];
  readonly diagnostics: readonly Diagnostic[];
  /** True when the file cannot be used at all (YAML errors, or empty). */
  readonly fatal: boolean;
}

/** Aliases expanded per document before we refuse (guards against "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  const toDiagnostic = (e: YAMLError, severity: 'error' | 'warning'): Diagnostic => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { severity, code: 'EW_YAML_SYNTAX', message: `${e.message.replace(/\s+/g, ' ').trim()}: fix the YAML syntax here`, position: { file, line, column: col } };
  };
  const documents: SourceNode[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) diagnostics.push(toDiagnostic(e, 'error'));
    for (const w of doc.warnings) diagnostics.push(toDiagnostic(w, 'warning'));
    if (doc.errors.length > 0 || doc.contents === null) continue;
    try {
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (value === null || value === undefined) continue;
      documents.push(sourceNode(doc.contents, value, doc, lines, file));
    } catch (e) {
      const { line, col } = lines.linePos(doc.contents.range?.[0] ?? 0);
      const reason = e instanceof Error ? e.message : String(e);
      diagnostics.push({ severity: 'error', code: 'EW_YAML_SYNTAX', message: `cannot read this document: ${reason}`, position: { file, line, column: col } });
    }
  }
  const errors = diagnostics.some((d) => d.severity === 'error');
  if (!errors && documents.length === 0) {
    diagnostics.push({
      severity: 'error',
      code: 'EW_FILE_EMPTY',
      message: `${file} has no YAML documents (it is empty or only comments): add Kubernetes objects, or leave the file out of --config`,
      position: { file, line: 1, column: 1 },
    });
  }
  return { documents, diagnostics, fatal: errors || documents.length === 0 };
}
