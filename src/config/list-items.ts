/**
 * Cuts a large `kind: List` document (the shape `kubectl get -o yaml` writes) into its items' texts before parsing,
 * so each item is parsed on its own and the loader can give the event loop a turn between items: one 5 MB List
 * would otherwise be one parse of seconds. The cut reads lines only, like split-documents.ts: a top-level `items:`
 * line at column 0 opens a block sequence whose first entry fixes its indentation; each line at that indentation
 * starting with `-` opens the next item, and the first other line at or below it (`kind: List`, say) ends them.
 *
 * The header is the document without the items' lines, so it parses to `items: null`; its lines after the cut are
 * placed `gap.lines` lower (emptying the lines instead would keep them in place, but the parser takes seconds over
 * hundreds of thousands of blank lines). Each item keeps its lines verbatim (so its columns) and is placed at the line
 * it starts on. Whether the cut was sound is decided by parsing (parse-document.ts): any
 * problem in the header or an item, an alias reaching across items, a header that is not a List, and the document is
 * parsed whole instead, exactly as before. Small documents are never cut: their parse costs less than a turn. Pure.
 */

export interface ListCut {
  /** The document without the items' lines: parses to the List with `items: null`. */
  readonly header: string;
  /** Where the items were cut out of the header (an offset into it), and how many lines they took. */
  readonly gap: { readonly at: number; readonly lines: number };
  /** Each item from its `-` line, with the lines of the document before it. */
  readonly items: readonly ListItemText[];
}

export interface ListItemText {
  readonly text: string;
  readonly lineOffset: number;
}

/** Documents shorter than this are parsed whole (a few milliseconds at most). */
export const LIST_CUT_MIN_CHARS = 64 * 1024;

const SPACE = 0x20;
const DASH = 0x2d;
const HASH = 0x23;
const LF = 0x0a;
const CR = 0x0d;
const ITEMS = 'items:';

/** The cut of `text`, or undefined when it is small or does not look like a block-style List. */
export function cutListItems(text: string, minChars = LIST_CUT_MIN_CHARS): ListCut | undefined {
  if (text.length < minChars) return undefined;
  const itemsAt = itemsLine(text);
  if (itemsAt === undefined) return undefined;
  let at = lineEnd(text, itemsAt);
  let line = countLines(text, 0, at);
  const regionStart = at;
  let indent = -1;
  const items: ListItemText[] = [];
  let itemStart = -1;
  let itemLine = 0;
  while (at < text.length) {
    const next = lineEnd(text, at);
    let col = 0;
    while (text.charCodeAt(at + col) === SPACE) col++;
    const c = text.charCodeAt(at + col);
    // Blank and comment lines belong to the item they are in, whatever their indentation.
    const blank = at + col >= next || c === LF || c === CR || c === HASH;
    if (!blank) {
      if (indent === -1) indent = col;
      const opens = col === indent && c === DASH && isSeparator(text.charCodeAt(at + col + 1));
      if (opens) {
        if (itemStart !== -1) items.push({ text: text.slice(itemStart, at), lineOffset: itemLine });
        itemStart = at;
        itemLine = line;
      } else if (col <= indent) break;
    }
    at = next;
    line++;
  }
  if (itemStart === -1) return undefined;
  items.push({ text: text.slice(itemStart, at), lineOffset: itemLine });
  if (items.length < 2) return undefined;
  // Blank or comment lines between `items:` and the first item go with the items: they hold nothing.
  return { header: text.slice(0, regionStart) + text.slice(at), gap: { at: regionStart, lines: countLines(text, regionStart, at) }, items };
}

/** The offset of the `items:` line at column 0 (nothing after it but spaces), or undefined. */
function itemsLine(text: string): number | undefined {
  for (let from = 0; ; ) {
    const found = text.indexOf(ITEMS, from);
    if (found === -1) return undefined;
    if (found === 0 || text.charCodeAt(found - 1) === LF) {
      let after = found + ITEMS.length;
      while (text.charCodeAt(after) === SPACE) after++;
      const c = text.charCodeAt(after);
      if (c === LF || c === CR || Number.isNaN(c)) return found;
    }
    from = found + ITEMS.length;
  }
}

function isSeparator(c: number): boolean {
  return c === SPACE || c === LF || c === CR || Number.isNaN(c);
}

/** The offset just past the line starting at `at` (its line break included). */
function lineEnd(text: string, at: number): number {
  const eol = text.indexOf('\n', at);
  return eol === -1 ? text.length : eol + 1;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) n++;
  return n;
}
