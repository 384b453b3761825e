/**
 * resplitDocuments must always give what splitDocuments gives for the new text, and hand back the previous pieces
 * (the same objects) where the text around a change is unchanged: a table of edits, then seeded random edits chained
 * one after another over texts built from the lines that matter to the splitter.
 */
import test from 'ava';
import { resplitDocuments } from '../../src/config/resplit-documents.ts';
import { splitDocuments, type DocumentText } from '../../src/config/split-documents.ts';

const plain = (p: readonly DocumentText[]): unknown => p.map(({ text, line }) => ({ text, line }));
const doc = (i: number, extra = ''): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n${extra}`;
const stream = (n: number, edit: (i: number) => string = (i) => doc(i)): string => Array.from({ length: n }, (_, i) => edit(i)).join('---\n');

test('edits in a table: the result is the full split, and untouched pieces are the same objects', (t) => {
  const base = stream(50);
  const table: readonly { name: string; after: string; kept: number }[] = [
    { name: 'one value changed, same lines', after: stream(50, (i) => doc(i === 20 ? 99 : i)), kept: 49 },
    { name: 'a line added in the middle', after: stream(50, (i) => doc(i, i === 20 ? 'x: 1\n' : '')), kept: 20 },
    { name: 'a document removed', after: stream(50).replace(`---\n${doc(30)}`, ''), kept: 30 },
    { name: 'a marker broken into text', after: base.replace(`---\n${doc(10)}`, `----\n${doc(10)}`), kept: 9 },
    { name: 'a marker added inside a document (a line more)', after: base.replace(doc(10), `${doc(10)}...\n`), kept: 10 },
    { name: 'a directive appears', after: base.replace(doc(10), `%YAML 1.2\n${doc(10)}`), kept: 0 },
    { name: 'a BOM appears', after: base.replace(doc(10), `\uFEFF${doc(10)}`), kept: 0 },
    { name: 'appended at the end', after: `${base}---\n${doc(50)}`, kept: 49 },
    { name: 'prepended at the top (every line moves)', after: `# comment\n${base}`, kept: 0 },
    { name: 'everything replaced', after: 'a: 1\n', kept: 0 },
    { name: 'unchanged', after: base, kept: 50 },
  ];
  for (const c of table) {
    const before = splitDocuments(base);
    const after = resplitDocuments(base, before, c.after);
    t.deepEqual(plain(after), plain(splitDocuments(c.after)), c.name);
    const same = after.filter((p) => before.some((q) => q.text === p.text && q.line === p.line) && before.includes(p)).length;
    t.true(same >= c.kept, `${c.name}: ${same} pieces kept, expected at least ${c.kept}`);
  }
});

test('a large file with a change far from both ends keeps every other piece and shifts lines after the change', (t) => {
  const base = stream(3000);
  const before = splitDocuments(base);
  const after = stream(3000, (i) => doc(i, i === 1500 ? 'spec:\n  x: 1\n' : ''));
  const pieces = resplitDocuments(base, before, after);
  t.deepEqual(plain(pieces), plain(splitDocuments(after)));
  t.is(pieces[1499], before[1499]);
  t.is(pieces[1501]!.text, before[1501]!.text);
  t.is(pieces[1501]!.line, before[1501]!.line + 2);
});

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  'a: 1\n',
  'b: 2\n',
  '---\n',
  '--- \n',
  '---\t#\n',
  '---x\n',
  '...\n',
  '... \n',
  '--\n',
  '---',
  '...',
  'c: |\n',
  '  ---\n',
  '%YAML 1.2\n',
  '\uFEFF',
  '\r\n',
  '-',
  '\n',
  'x',
];

test('seeded random edits, chained: always the full split', (t) => {
  const next = random(42);
  const pick = (): string => FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!;
  const fresh = (n: number): string => Array.from({ length: n }, pick).join('');
  for (let run = 0; run < 200; run++) {
    let text = fresh(5 + Math.floor(next() * 40));
    let pieces = splitDocuments(text);
    for (let edit = 0; edit < 10; edit++) {
      const at = Math.floor(next() * (text.length + 1));
      const cut = Math.min(text.length - at, Math.floor(next() * 12));
      const changed = text.slice(0, at) + fresh(Math.floor(next() * 4)) + text.slice(at + cut);
      pieces = resplitDocuments(text, pieces, changed);
      t.deepEqual(plain(pieces), plain(splitDocuments(changed)), JSON.stringify({ text, changed }));
      text = changed;
    }
  }
});
