/** The code table, its documentation and the code that uses it agree. */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../src/errors.ts';
import { errorsMarkdown } from '../../scripts/errors-doc.ts';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md is generated from the table (run node scripts/errors-doc.ts after adding a code)', (t) => {
  t.is(readFileSync(join(root, 'docs', 'errors.md'), 'utf8'), errorsMarkdown());
});

test('every code is defined exactly once in src/errors.ts (a spread would silently keep only the last of two)', (t) => {
  // Property keys at the start of a line in the section tables; comments that name a code do not count.
  const defined = [...readFileSync(join(root, 'src', 'errors.ts'), 'utf8').matchAll(/^\s*((?:EW|EDGEWAY)_[A-Z0-9_]+)\s*:/gm)].map((m) => m[1]!);
  const twice = defined.filter((code, i) => defined.indexOf(code) !== i);
  t.deepEqual(twice, [], 'defined in more than one section');
  t.is(defined.length, Object.keys(CODES).length, 'every section is spread into CODES');
});

test('every code the source uses is in the table', (t) => {
  const known = new Set(Object.keys(CODES));
  const unknown = new Set<string>();
  for (const file of sources(join(root, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`]((?:EW|EDGEWAY)_[A-Z0-9_]+)['"`]/g)) {
      if (!known.has(m[1]!)) unknown.add(`${m[1]} (${file.slice(root.length + 1)})`);
    }
  }
  t.deepEqual([...unknown], []);
});
