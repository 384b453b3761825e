/**
 * Layers only point down, and no two files import each other even through others. The import statements of every
 * file under src/ (static, type-only, re-exports and dynamic imports alike) are read with TypeScript's own
 * pre-processor (test/helpers/import-graph.ts); a failure prints each offending import or circle.
 *
 * Run on its own with `npx ava test/architecture.test.ts`.
 */
import test from 'ava';
import { join } from 'node:path';
import { importCircles, importGraph, importSpecifiers, layerViolations } from '../helpers/import-graph.ts';

const graph = importGraph(join(import.meta.dirname, '..', '..', 'src'));

/** Compilation and everything under it: none of it may reach the serving side or the front ends. */
const LOWER = ['k8s', 'snapshot', 'routing', 'controllers', 'allocation', 'config', 'store', 'net', 'metrics'];
const UPPER = ['dataplane', 'admin', 'api', 'cli', 'exporter'];

test('the graph covers src/ and sees its imports', (t) => {
  t.true(graph.size > 100, `${graph.size} files`);
  t.true(graph.get('edgeway.ts')?.includes('generation/build-generation.ts'));
  t.true(graph.get('cli/run-cli.ts')?.includes('cli/get.ts'), 'dynamic imports are edges');
});

test(`no file under ${LOWER.join(', ')} imports from ${UPPER.join(', ')}`, (t) => {
  const found = layerViolations(graph, LOWER, UPPER);
  if (found.length > 0) t.log(`imports that point up:\n  ${found.join('\n  ')}`);
  t.deepEqual(found, []);
});

test('no import circles between files under src/', (t) => {
  const found = importCircles(graph);
  if (found.length > 0) t.log(`import circles:\n  ${found.join('\n  ')}`);
  t.deepEqual(found, []);
});

// The checks themselves, on small made-up graphs, so a broken parser or search cannot pass by finding nothing.

test('importSpecifiers reads every kind of import and skips comments and strings', (t) => {
  const text = [
    "// import { no } from './comment.ts';",
    "import type { A } from './a.ts';",
    "import {\n  b,\n  c,\n} from '../../b.ts';",
    "export { d } from './d.ts';",
    "export * from './e.ts';",
    "import './f.ts';",
    "const g = await import('./g.ts');",
    'const s = "import x from \'./string.ts\'";',
    "import { h } from 'node:http';",
  ].join('\n');
  t.deepEqual(importSpecifiers(text), ['./a.ts', '../../b.ts', './d.ts', './e.ts', './f.ts', './g.ts', 'node:http']);
});

test('layerViolations names each import from a lower folder into an upper one', (t) => {
  const g = new Map([
    ['routing/a.ts', ['dataplane/x.ts', 'config/c.ts']],
    ['dataplane/x.ts', ['routing/a.ts']],
    ['config/c.ts', []],
    ['edgeway.ts', ['dataplane/x.ts']],
  ]);
  t.deepEqual(layerViolations(g, ['routing', 'config'], ['dataplane']), ['routing/a.ts → dataplane/x.ts']);
});

test('importCircles finds a circle through several files, a pair, and a file importing itself', (t) => {
  const g = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'z.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['e.ts']],
    ['e.ts', ['d.ts']],
    ['f.ts', ['f.ts']],
    ['z.ts', []],
  ]);
  t.deepEqual(importCircles(g).sort(), ['a.ts → b.ts → c.ts → a.ts', 'd.ts → e.ts → d.ts', 'f.ts → f.ts']);
  t.deepEqual(
    importCircles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
    [],
  );
});
