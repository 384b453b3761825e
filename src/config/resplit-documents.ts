/**
 * Cuts a new version of a file into document pieces from the pieces of its previous version: where the two texts
 * share a prefix and a suffix (a reload usually changes a few lines of a large file), the pieces lying wholly in them
 * are handed back as they were (the same strings, so the parse cache finds them by a hash the string already carries,
 * and the same objects when their line did not move), and only the stretch between is cut anew with splitDocuments.
 * The result is always what splitDocuments(text) gives (test/unit/config-resplit.test.ts compares them); when the reuse
 * cannot be proven safe it is splitDocuments(text). Pure.
 *
 * Why the reuse is safe: splitDocuments decides every cut from one line alone (a marker is the 4 characters at a line
 * start), except that a BOM or a directive anywhere makes the whole text one piece. A piece before the change is kept
 * only when the line that ends it is read wholly from the common prefix; a piece after the change only when it
 * starts with a `---` line (so its own first line decides the cut, not a `...` line before it) whose preceding line
 * break is common too; and the cut-anew stretch is checked for a BOM or a directive.
 */
import { splitDocuments, type DocumentText } from './split-documents.ts';

/** What a marker check reads from a line start (`---` and the character after it). */
const MARKER_SPAN = 4;
/** Compared natively a chunk at a time (slices of a flat string are views; `===` compares them as memory). */
const CHUNK = 4096;

export function resplitDocuments(before: string, pieces: readonly DocumentText[], text: string): readonly DocumentText[] {
  if (text === before) return pieces;
  // One piece: there is nothing to keep (and the old text may have been uncuttable as a whole).
  if (pieces.length < 2) return splitDocuments(text);
  const prefix = commonPrefix(before, text);
  const suffix = commonSuffix(before, text, Math.min(before.length, text.length) - prefix);

  // Pieces kept at the head: [0, head), ending at `from` (the same offset in both texts).
  let head = 0;
  let from = 0;
  for (; head < pieces.length; head++) {
    const end = from + pieces[head]!.text.length;
    if (end + MARKER_SPAN > prefix) break;
    from = end;
  }
  // Pieces kept at the tail: [tail, length), starting at `to` in the old text.
  const sharedFrom = before.length - suffix;
  let tail = pieces.length;
  let to = before.length;
  for (let i = pieces.length - 1; i >= head; i--) {
    const start = to - pieces[i]!.text.length;
    if (start <= sharedFrom || start < from) break;
    tail = i;
    to = start;
  }
  // The first kept tail piece must open with its own `---` line.
  while (tail < pieces.length && !opensWithMarker(pieces[tail]!.text)) {
    to += pieces[tail]!.text.length;
    tail++;
  }
  if (head === 0 && tail === pieces.length) return splitDocuments(text);

  const shift = text.length - before.length;
  const middle = text.slice(from, to + shift);
  if (middle.includes('\uFEFF') || middle.charCodeAt(0) === 0x25 || middle.includes('\n%')) return splitDocuments(text);
  // head < pieces.length: the last piece ends at the end of the old text, never inside the common prefix's reach.
  const firstLine = pieces[head]!.line;
  const out: DocumentText[] = pieces.slice(0, head);
  if (middle.length > 0) for (const p of splitDocuments(middle)) out.push({ text: p.text, line: p.line + firstLine - 1 });
  const lines = countLines(middle) - countLines(before.slice(from, to));
  for (let i = tail; i < pieces.length; i++) {
    const p = pieces[i]!;
    out.push(lines === 0 ? p : { text: p.text, line: p.line + lines });
  }
  return out.length === 0 ? splitDocuments(text) : out;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let at = 0;
  while (at + CHUNK <= n && a.slice(at, at + CHUNK) === b.slice(at, at + CHUNK)) at += CHUNK;
  while (at < n && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  return at;
}

/** The length of the common suffix, at most `limit` (so it never overlaps the common prefix). */
function commonSuffix(a: string, b: string, limit: number): number {
  let n = 0;
  while (n + CHUNK <= limit && a.slice(a.length - n - CHUNK, a.length - n) === b.slice(b.length - n - CHUNK, b.length - n)) n += CHUNK;
  while (n < limit && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}

function opensWithMarker(piece: string): boolean {
  if (!piece.startsWith('---')) return false;
  const after = piece.charCodeAt(3);
  return Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d;
}

function countLines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
  return n;
}
