/**
 * Parsing per document: a table of tricky files whose every field position, and every YAML error position, must be
 * the same as a whole-file parse gives; the splitter alone; the parse cache (a reload reparses only the documents that
 * changed, and gives the same objects, positions and diagnostics as a cold load, also when documents move down); and
 * a large cold loadConfig that lets timers run while it works.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../../src/config/diagnostic.ts';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import { loadConfig, loadConfigText, type ConfigLoad } from '../../src/config/load-config.ts';
import { ParseCache } from '../../src/config/parse-cache.ts';
import { parseYamlFile } from '../../src/config/parse-yaml.ts';
import { splitDocuments } from '../../src/config/split-documents.ts';
import { sourceNode, type FieldPath, type SourceNode } from '../../src/config/yaml-source.ts';

const svc = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n    - port: 80\n`;

const TRICKY: readonly { name: string; text: string; errors?: number }[] = [
  { name: 'no leading marker', text: `${svc('a')}---\n${svc('b')}` },
  { name: 'leading marker on line 1', text: `---\n${svc('a')}---\n${svc('b')}---\n` },
  {
    name: 'block scalars holding --- and ... lines not at column 0',
    text: `${svc('a')}  annotations:\n    note: |\n      first\n      ---\n      ...\n       --- still text\n    x: >-\n      folded\n      ---\n---\n${svc('b')}`,
  },
  { name: 'comments between documents', text: `# header\n\n${svc('a')}# trailing comment of a\n---\n# leading comment of b\n\n${svc('b')}\n# end\n` },
  { name: '... end markers', text: `${svc('a')}...\n# between\n---\n${svc('b')}...\n${svc('c')}` },
  { name: 'content on the marker line', text: `--- {apiVersion: v1, kind: Namespace, metadata: {name: n}}\n--- # comment\n${svc('a')}` },
  { name: 'CRLF line endings', text: `${svc('a')}---\n${svc('b')}`.replace(/\n/g, '\r\n') },
  { name: '---x and ---- are not markers', text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: |-\n    a\n---\n${svc('b')}` },
  {
    name: 'a List of items',
    text: `${svc('a')}---\napiVersion: v1\nkind: List\nitems:\n  - ${svc('b').replace(/\n(?!$)/g, '\n    ')}  - ${svc('c').replace(/\n(?!$)/g, '\n    ')}`,
  },
  { name: 'a %YAML directive (parsed whole)', text: `%YAML 1.2\n---\n${svc('a')}...\n%YAML 1.2\n---\n${svc('b')}` },
  { name: 'marker at the end without a newline', text: `${svc('a')}---` },
  {
    name: 'a syntax error in the third document',
    text: `${svc('a')}---\n${svc('b')}---\napiVersion: v1\nkind: Service\nmetadata: {name: c\nspec: [\n---\n${svc('d')}`,
    errors: 2,
  },
  { name: 'duplicate keys in the second document', text: `${svc('a')}---\napiVersion: v1\nkind: Service\nkind: Pod\n`, errors: 1 },
];

/** The positions of every field of every document, from the old whole-file parse. */
function wholeFile(file: string, text: string): { fields: string[]; problems: string[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fields: string[] = [];
  const problems: string[] = [];
  for (const doc of docs) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      const p = lines.linePos(e.pos[0]);
      problems.push(`${file}:${p.line}:${p.col} ${e.message.replace(/\s+/g, ' ').trim()}`);
    }
    if (doc.errors.length > 0 || doc.contents === null) continue;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    fields.push(...allFields(sourceNode(doc.contents, value, doc, lines, file)));
  }
  return { fields, problems };
}

function allFields(node: SourceNode): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: FieldPath): void => {
    const p = node.locate(path);
    out.push(`${path.join('.')} ${p.file}:${p.line}:${p.column}`);
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(node.value, []);
  return out;
}

for (const c of TRICKY) {
  test(`positions per document equal the whole-file parse: ${c.name}`, (t) => {
    const expected = wholeFile('f.yaml', c.text);
    const parsed = parseYamlFile('f.yaml', c.text);
    t.deepEqual(parsed.documents.flatMap(allFields), expected.fields);
    const problems = parsed.diagnostics
      .filter((d) => d.code === 'EW_YAML_SYNTAX')
      .map((d) => `${d.position?.file}:${d.position?.line}:${d.position?.column} ${d.message.replace(/: fix the YAML syntax here$/, '')}`);
    t.deepEqual(problems, expected.problems);
    t.is(parsed.diagnostics.filter((d) => d.severity === 'error').length, c.errors ?? 0, JSON.stringify(parsed.diagnostics));
    t.true(expected.fields.length > 0 || c.errors !== undefined);
  });
}

test('a syntax error in the third document is reported at its file line and column', (t) => {
  const text = `${svc('a')}---\n${svc('b')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [c\n`;
  const load = loadConfigText([{ path: 'f.yaml', text }]);
  t.true(load.fatal);
  const [d] = load.diagnostics.filter((x) => x.code === 'EW_YAML_SYNTAX');
  const lines = text.split('\n');
  // The flow sequence opened on line 20 is never closed; yaml reports it where the document ends (line 21).
  t.is(lines[19], '  name: [c');
  t.is(d?.position?.file, 'f.yaml');
  t.deepEqual(d?.position, { file: 'f.yaml', line: 21, column: 1 }, d?.message);
  t.deepEqual(d?.position, { file: 'f.yaml', ...posOf(wholeFile('f.yaml', text).problems[0]) });
});

function posOf(where: string | undefined): { line: number; column: number } {
  const [, line, column] = (where ?? '::').split(' ')[0]!.split(':');
  return { line: Number(line), column: Number(column) };
}

test('the splitter: pieces join back to the text and start at their lines', (t) => {
  const table: readonly { text: string; lines: number[] }[] = [
    { text: '', lines: [1] },
    { text: 'a: 1\n', lines: [1] },
    { text: '---\na: 1\n---\nb: 2\n', lines: [1, 3] },
    { text: 'a: 1\n---\nb: 2\n', lines: [1, 2] },
    { text: 'a: 1\n...\nb: 2\n', lines: [1, 3] },
    { text: 'a: 1\n...\n---\nb: 2\n', lines: [1, 3] },
    { text: 'a: |\n  ---\n---x: 1\n----\n', lines: [1] },
    { text: 'a: 1\r\n---\r\nb: 2\r\n', lines: [1, 2] },
    { text: 'a: 1\n---\t# tab\nb: 2\n---', lines: [1, 2, 4] },
    { text: '%YAML 1.2\n---\na: 1\n', lines: [1] },
    { text: 'a: 1\n---\n\uFEFFb: 2\n', lines: [1] },
  ];
  for (const c of table) {
    const pieces = splitDocuments(c.text);
    t.is(pieces.map((p) => p.text).join(''), c.text, JSON.stringify(c.text));
    t.deepEqual(
      pieces.map((p) => p.line),
      c.lines,
      JSON.stringify(c.text),
    );
  }
});

// --- the cache ------------------------------------------------------------------------------------------------------

/** Everything a load says, positions included, in a form deepEqual can compare. */
function facts(load: ConfigLoad): unknown {
  const where = (o: LoadedObject): unknown => ({
    object: o.object,
    position: o.position,
    fields: [
      ['metadata', 'name'],
      ['spec', 'ports', 0, 'port'],
      ['spec', 'ports', 0, 'nope'],
    ].map((p) => o.locate(p)),
  });
  return { objects: load.objects.map(where), diagnostics: load.diagnostics, skipped: load.skipped, fatal: load.fatal, settings: load.settings };
}

const bad = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n    - port: 99999\n  bogus: 1\n`;
const docs = (n: number, changed = -1): string[] =>
  Array.from({ length: n }, (_, i) => (i % 5 === 3 ? bad(`s${i}`) : svc(i === changed ? `changed${i}` : `s${i}`)));

test('a reload reparses only the changed document and equals a cold load', (t) => {
  const cache = new ParseCache();
  const before = docs(20).join('---\n');
  loadConfigText([{ path: 'f.yaml', text: before }], { cache });
  t.deepEqual(cache.lastLoad, { parsed: 20, reused: 0 });
  const after = docs(20, 7).join('---\n');
  const warm = loadConfigText([{ path: 'f.yaml', text: after }], { cache });
  t.deepEqual(cache.lastLoad, { parsed: 1, reused: 19 });
  t.deepEqual(facts(warm), facts(loadConfigText([{ path: 'f.yaml', text: after }])));
  t.true(warm.diagnostics.some((d: Diagnostic) => d.code === 'EW_FIELD_UNKNOWN' || d.severity === 'error'));
  t.true(warm.objects.some((o) => o.object.metadata.name === 'changed7'));
});

test('documents moved down by inserted lines keep their parse and get shifted positions', (t) => {
  const cache = new ParseCache();
  const body = docs(10).join('---\n');
  const first = loadConfigText([{ path: 'f.yaml', text: body }], { cache });
  const moved = `# three\n# new\n# lines\n${body}`;
  const warm = loadConfigText([{ path: 'f.yaml', text: moved }], { cache });
  // Only the first piece changed (the comments belong to it); the rest are reused and placed 3 lines lower.
  t.deepEqual(cache.lastLoad, { parsed: 1, reused: 9 });
  t.deepEqual(facts(warm), facts(loadConfigText([{ path: 'f.yaml', text: moved }])));
  const line = (l: ConfigLoad, name: string): number | undefined => l.objects.find((o) => o.object.metadata.name === name)?.position.line;
  t.is(line(warm, 's9'), (line(first, 's9') ?? 0) + 3);
  const errorLines = (l: ConfigLoad): number[] => l.diagnostics.filter((d) => d.severity === 'error').map((d) => d.position?.line ?? 0);
  t.deepEqual(
    errorLines(warm),
    errorLines(first).map((n) => n + 3),
  );
  // The same texts in another file are reused too, and name that file.
  const other = loadConfigText([{ path: 'g.yaml', text: moved }], { cache });
  t.deepEqual(cache.lastLoad, { parsed: 0, reused: 10 });
  t.deepEqual(facts(other), facts(loadConfigText([{ path: 'g.yaml', text: moved }])));
});

test('the cache keeps only the documents of the last load', (t) => {
  const cache = new ParseCache();
  loadConfigText([{ path: 'f.yaml', text: docs(6).join('---\n') }], { cache });
  loadConfigText([{ path: 'f.yaml', text: svc('other') }], { cache });
  loadConfigText([{ path: 'f.yaml', text: docs(6).join('---\n') }], { cache });
  t.deepEqual(cache.lastLoad, { parsed: 6, reused: 0 });
});

test('a large cold loadConfig gives timers turns while it parses', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-documents-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.yaml');
  await writeFile(file, docs(1500).join('---\n'));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  t.teardown(() => clearInterval(timer));
  const load = await loadConfig([file]);
  clearInterval(timer);
  t.is(load.objects.length + load.skipped, 1500);
  t.true(ticks >= 3, `the timer fired ${ticks} times during the load`);
});

test('pieces around a change are handed back whole: YAML errors are reported on every reload, entries of dropped pieces go', (t) => {
  const cache = new ParseCache();
  const good = docs(30).join('---\n');
  const broken = docs(30)
    .map((d, i) => (i === 12 ? `${d}  bad: [\n` : d))
    .join('---\n');
  const cold = (text: string): unknown => facts(loadConfigText([{ path: 'f.yaml', text }]));
  for (const text of [good, broken, broken, good, docs(30, 29).join('---\n'), good]) {
    const warm = loadConfigText([{ path: 'f.yaml', text }], { cache });
    t.deepEqual(facts(warm), cold(text));
  }
  // The last document changed back: its old text was dropped with the load that no longer used it.
  t.deepEqual(cache.lastLoad, { parsed: 1, reused: 29 });
  // Likewise in another file.
  loadConfigText([{ path: 'f.yaml', text: docs(30, 29).join('---\n') }], { cache });
  loadConfigText([{ path: 'f.yaml', text: good }], { cache });
  loadConfigText([{ path: 'g.yaml', text: docs(30, 29).join('---\n') }], { cache });
  t.deepEqual(cache.lastLoad, { parsed: 1, reused: 29 });
});

test('admission with kept keys skips the duplicate check yet equals a cold load through duplicates, settings and unknown kinds', (t) => {
  const cache = new ParseCache();
  const settings = (level: string, apiVersion = 'edgeway.io/v1alpha1'): string =>
    `apiVersion: ${apiVersion}\nkind: EdgewaySettings\nmetadata:\n  name: e\nspec:\n  logging:\n    level: ${level}\n`;
  const odd = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
  const build = (edit: (i: number) => string | undefined): string =>
    Array.from({ length: 24 }, (_, i) => edit(i) ?? (i === 0 ? settings('info') : i === 5 ? odd : i % 7 === 3 ? bad(`s${i}`) : svc(`s${i}`))).join('---\n');
  const texts: readonly [string, string][] = [
    ['base', build(() => undefined)],
    ['a value changes (keys kept)', build((i) => (i === 10 ? svc('s10').replace('80', '81') : undefined))],
    ['a rename makes a duplicate', build((i) => (i === 10 ? svc('s11') : undefined))],
    ['the duplicate changes a value (keys kept, but the last load had a duplicate)', build((i) => (i === 10 ? svc('s11').replace('80', '82') : undefined))],
    ['the duplicate goes', build(() => undefined)],
    ['the settings change', build((i) => (i === 0 ? settings('debug') : undefined))],
    ['the settings apiVersion goes wrong', build((i) => (i === 0 ? settings('debug', 'edgeway.io/v9') : undefined))],
    ['an invalid object turns valid', build((i) => (i === 3 ? svc('s3') : undefined))],
    ['a second settings document', build((i) => (i === 20 ? settings('warn') : undefined))],
  ];
  for (const [name, text] of texts) {
    const warm = loadConfigText([{ path: 'f.yaml', text }], { cache });
    t.deepEqual(facts(warm), facts(loadConfigText([{ path: 'f.yaml', text }])), name);
  }
  t.is(cache.admission?.unique, true);
});
