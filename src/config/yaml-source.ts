/**
 * Positions from the YAML tree. A SourceNode pairs a parsed value with the node it came from, so any field path can
 * be turned back into file:line:column — the key of a mapping entry, the start of a list item — without keeping the
 * tree anywhere else. List items become SourceNodes of their own, rooted at the item. A tree parsed from a piece of
 * its file (see split-documents.ts) has offsets into the piece; `lineOffset` places them in the file.
 */
import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourcePosition } from './diagnostic.ts';

export type FieldPath = readonly (string | number)[];

export interface SourceNode {
  /** The plain JavaScript value of the node. */
  readonly value: unknown;
  readonly position: SourcePosition;
  /** The position of a field; the nearest existing ancestor when the field is absent. */
  locate(path: FieldPath): SourcePosition;
  /** The node at `path`, with its own positions, or undefined when there is none. */
  descend(path: FieldPath): SourceNode | undefined;
  /** The text of the scalar at `path` when it is written plain (unquoted, not a block scalar); else undefined. */
  plainScalar(path: FieldPath): string | undefined;
}

interface Context {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly file: string;
  /** Lines of the file before the piece the tree was parsed from. */
  readonly lineOffset: number;
}

export function sourceNode(root: Node, value: unknown, doc: Document, lines: LineCounter, file: string, lineOffset = 0): SourceNode {
  return make({ doc, lines, file, lineOffset }, root, value);
}

function make(ctx: Context, root: Node, value: unknown): SourceNode {
  const position = positionOf(ctx, root, undefined);
  return {
    value,
    position,
    locate: (path) => walk(ctx, root, path).position,
    descend: (path) => {
      const found = walk(ctx, root, path);
      if (!found.complete || found.node === undefined) return undefined;
      return make(ctx, found.node, valueAt(value, path));
    },
    plainScalar: (path) => {
      const found = walk(ctx, root, path);
      return found.complete && isScalar(found.node) && found.node.type === 'PLAIN' ? found.node.source : undefined;
    },
  };
}

function walk(ctx: Context, root: Node, path: FieldPath): { node: Node | undefined; position: SourcePosition; complete: boolean } {
  let node: Node | undefined = resolve(ctx, root);
  let position = positionOf(ctx, root, undefined);
  for (const segment of path) {
    if (node === undefined) return { node, position, complete: false };
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (pair === undefined) return { node, position, complete: false };
      // Point at the key: that is where the field is written, even when its value spans many lines below.
      position = positionOf(ctx, isNode(pair.key) ? pair.key : undefined, position);
      node = isNode(pair.value) ? resolve(ctx, pair.value) : undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item)) return { node, position, complete: false };
      position = positionOf(ctx, item, position);
      node = resolve(ctx, item);
    } else {
      return { node, position, complete: false };
    }
  }
  return { node, position, complete: true };
}

function resolve(ctx: Context, node: Node): Node | undefined {
  if (!isAlias(node)) return node;
  const target = node.resolve(ctx.doc);
  return isNode(target) ? target : undefined;
}

function positionOf(ctx: Context, node: Node | undefined, fallback: SourcePosition | undefined): SourcePosition {
  const offset = node?.range?.[0];
  if (offset === undefined) return fallback ?? { file: ctx.file, line: 1, column: 1 };
  const { line, col } = ctx.lines.linePos(offset);
  return { file: ctx.file, line: line + ctx.lineOffset, column: col };
}

/** The value at `path` inside a parsed value, or undefined where the path leaves it. */
export function valueAt(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * A List parsed item by item (parse-document.ts) as one SourceNode: `header` is the List with `items` parsed as null,
 * `items` each item's own node. Paths under `items.<i>` are the item's, every other path the header's, so positions
 * read as in the whole List's tree. `descend(['items'])` alone has no node to give (nothing asks for it).
 */
export function listSourceNode(header: SourceNode, items: readonly SourceNode[], value: unknown): SourceNode {
  const item = (path: FieldPath): SourceNode | undefined =>
    path.length >= 2 && path[0] === 'items' && typeof path[1] === 'number' ? items[path[1]] : undefined;
  return {
    value,
    position: header.position,
    locate: (path) => item(path)?.locate(path.slice(2)) ?? header.locate(path),
    descend: (path) => {
      const found = item(path);
      if (found !== undefined) return path.length === 2 ? found : found.descend(path.slice(2));
      return path[0] === 'items' ? undefined : header.descend(path);
    },
    plainScalar: (path) => item(path)?.plainScalar(path.slice(2)) ?? (path[0] === 'items' ? undefined : header.plainScalar(path)),
  };
}
