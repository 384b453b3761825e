/**
 * The import graph of src/, for the architecture test: which file imports which, which imports cross a layer
 * boundary the wrong way, and which files import each other in a circle. The parsing is TypeScript's own
 * `preProcessFile` (already a dev dependency), so comments and strings that look like imports are not counted;
 * static, type-only, re-export and dynamic imports all are, since each is a dependency a reader has to follow.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';

/** File path (relative to the source root, `/`-separated) → the source files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Module specifiers imported by one file's text, in order of appearance. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The graph of relative imports among the `.ts` files under `root` (package imports are not edges). */
export function importGraph(root: string): ImportGraph {
  const graph = new Map<string, readonly string[]>();
  for (const file of tsFiles(root, '')) {
    const targets = importSpecifiers(readFileSync(posix.join(root, file), 'utf8'))
      .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
      .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function tsFiles(root: string, dir: string): string[] {
  return readdirSync(posix.join(root, dir))
    .sort()
    .flatMap((name) => {
      const path = dir === '' ? name : `${dir}/${name}`;
      if (statSync(posix.join(root, path)).isDirectory()) return tsFiles(root, path);
      return path.endsWith('.ts') ? [path] : [];
    });
}

/** The first folder of a path relative to the source root (`''` for files at the top). */
export function topFolder(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/** `from → to` for every import from a file in one of `lower` into a file in one of `upper`. */
export function layerViolations(graph: ImportGraph, lower: readonly string[], upper: readonly string[]): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (!lower.includes(topFolder(from))) continue;
    for (const to of targets) if (upper.includes(topFolder(to))) out.push(`${from} → ${to}`);
  }
  return out;
}

/**
 * One circle per strongly connected component of more than one file (or a file importing itself), written as
 * `a → b → … → a`. Tarjan's algorithm finds the components; a breadth-first walk inside each gives a shortest circle
 * through its first file, which is enough to show where to cut.
 */
export function importCircles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return components.map((component) => shortestCircle(graph, new Set(component), component[0]!).join(' → '));
}

function shortestCircle(graph: ImportGraph, within: ReadonlySet<string>, start: string): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = parent.get(u)) path.unshift(u);
        path.unshift(start);
        return path;
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}
