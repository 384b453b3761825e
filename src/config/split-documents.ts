/**
 * Cuts a YAML stream into the texts of its documents without parsing it, so each document can be parsed (and its
 * parse cached) on its own. YAML 1.2 makes this safe: a line that starts at column 0 with `---` or `...` followed by
 * a space, a tab, a line break or the end of the text is a document marker wherever it appears (spec 9.1.x,
 * `c-forbidden`), even inside a block scalar or a quoted string, which it ends. A `---` line starts the next piece, a
 * `...` line ends the current one. Directives (`%YAML`, `%TAG`) bind to the document after them and a byte order
 * mark may start any document; such streams are rare in configuration, so they are not cut at all (one piece, parsed
 * whole as before) rather than risk a subtle difference. Pure.
 */

export interface DocumentText {
  /** The piece of the stream, from the start of its first line; joined in order the pieces give the text back. */
  readonly text: string;
  /** 1-based line of the file where the piece starts. */
  readonly line: number;
}

const DASH = 0x2d;
const DOT = 0x2e;
const PERCENT = 0x25;

/** The pieces of `text` in order; one piece (the whole text) when the stream uses directives or inner BOMs. */
export function splitDocuments(text: string): readonly DocumentText[] {
  if (text.includes('\uFEFF')) return [{ text, line: 1 }];
  const pieces: DocumentText[] = [];
  let start = 0;
  let startLine = 1;
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    const eol = text.indexOf('\n', at);
    const next = eol === -1 ? text.length : eol + 1;
    const first = text.charCodeAt(at);
    if (first === PERCENT) return [{ text, line: 1 }];
    if ((first === DASH || first === DOT) && isMarker(text, at, first)) {
      // `---` opens the piece it is on; `...` closes the piece it is on.
      const cut = first === DASH ? at : next;
      const cutLine = first === DASH ? line : line + 1;
      if (cut > start) pieces.push({ text: text.slice(start, cut), line: startLine });
      start = cut;
      startLine = cutLine;
    }
    at = next;
  }
  if (start < text.length || pieces.length === 0) pieces.push({ text: text.slice(start), line: startLine });
  return pieces;
}

function isMarker(text: string, at: number, c: number): boolean {
  if (text.charCodeAt(at + 1) !== c || text.charCodeAt(at + 2) !== c) return false;
  const after = text.charCodeAt(at + 3);
  // NaN past the end: a marker on the last line without a newline.
  return Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d;
}
