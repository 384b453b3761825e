/**
 * A large `kind: List` (the shape `kubectl get -o yaml` writes) is parsed item by item so the event loop gets turns
 * during it. Whatever the shape, the result must read exactly as the whole parse: the same objects, the same
 * positions for every field, the same validation findings at the same lines; where the cut cannot be sound (aliases
 * across items, flow style, a broken item) the document is parsed whole.
 */
import test, { type ExecutionContext } from 'ava';
import { documentObjects, documentObjectsSteps } from '../../src/config/document-objects.ts';
import { cutListItems, LIST_CUT_MIN_CHARS } from '../../src/config/list-items.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import type { LoadedObject } from '../../src/config/loaded-object.ts';
import { parsePieceSteps, parseWhole } from '../../src/config/parse-document.ts';
import { parseYamlFile } from '../../src/config/parse-yaml.ts';
import { validateObject } from '../../src/config/validate/validate-object.ts';
import { sourceNode } from '../../src/config/yaml-source.ts';
import { serviceList } from '../../perf/systems/service-list.ts';

const FILE = 'list.yaml';

/** Objects as the whole parse gives them (the reference). */
function wholeObjects(text: string): LoadedObject[] {
  const parsed = parseWhole(text);
  return parsed.documents.flatMap((d) => documentObjects(sourceNode(d.contents, d.value, d.doc, parsed.lines, FILE, 0)).objects);
}

/** Objects as the loader parses them now (cut when large). */
function loadedObjects(text: string): LoadedObject[] {
  const file = parseYamlFile(FILE, text);
  return file.documents.flatMap((d) => documentObjects(d).objects);
}

const PATHS: readonly (readonly (string | number)[])[] = [
  [],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'labels', 'variant'],
  ['spec', 'ports', 0, 'port'],
  ['spec', 'ports', 0, 'targetPort'],
  ['spec', 'ports', 3],
  ['spec', 'selector', 'app'],
  ['spec', 'absent', 'deeper'],
];

function sameAsWhole(t: ExecutionContext, text: string, cut: boolean): void {
  t.is(cutListItems(text) !== undefined, cut, cut ? 'the text is cut' : 'the text is not cut');
  const whole = wholeObjects(text);
  const loaded = loadedObjects(text);
  t.is(loaded.length, whole.length);
  t.deepEqual(
    loaded.map((o) => o.object),
    whole.map((o) => o.object),
  );
  const read = (objects: readonly LoadedObject[]) =>
    objects.map((o) => ({ position: o.position, fields: PATHS.map((p) => o.locate(p)), findings: validateObject(o) }));
  t.deepEqual(read(loaded), read(whole), 'positions of every object and field, and validation findings');
  // The List's own fields, before and after its items.
  const parsed = parseWhole(text);
  const reference = parsed.documents.map((d) => sourceNode(d.contents, d.value, d.doc, parsed.lines, FILE, 0));
  const listPaths = [['apiVersion'], ['kind'], ['metadata', 'resourceVersion'], ['items'], ['items', 5, 'metadata', 'name'], ['items', 100000]];
  const where = (nodes: readonly { locate: (p: readonly (string | number)[]) => unknown }[]) => nodes.map((n) => listPaths.map((p) => n.locate(p)));
  t.deepEqual(where(parseYamlFile(FILE, text).documents), where(reference), 'positions in the List itself');
}

/** A List over the cut threshold with some broken items, comments, blank lines and a block scalar. */
function bigList(count: number): string {
  const lines = serviceList(count).split('\n');
  const at = (name: string): number => lines.indexOf(`    name: ${name}`);
  // A port that is not a number, a selector that is a list: validation findings inside the List.
  lines[at('list-7') + 5] = '    - port: eighty';
  lines.splice(at('list-20') + 1, 0, '    # a comment inside an item', '', '    annotations:', '      note: |', '        line one', '', '        line three');
  lines.splice(at('list-40') - 5, 0, '# a comment between items at column 0', '');
  return lines.join('\n');
}

test('a large List loads with the same objects, positions and findings as the whole parse', (t) => {
  const text = bigList(300);
  t.true(text.length > LIST_CUT_MIN_CHARS);
  sameAsWhole(t, text, true);
  const load = loadConfigText([{ path: FILE, text }]);
  const bad = load.diagnostics.find((d) => d.object === 'Service bulk/list-7');
  t.is(bad?.severity, 'error');
  t.is(bad?.position?.line, text.split('\n').indexOf('    - port: eighty') + 1, 'the finding is at the line of the bad port');
});

test('a List with indented items, CRLF line breaks and fields after the items reads as the whole parse', (t) => {
  const indented = serviceList(300)
    .split('\n')
    .map((l, i) => (i >= 2 && !l.startsWith('kind:') && !l.startsWith('metadata:') && !l.startsWith('  resourceVersion: ""') && l !== '' ? `  ${l}` : l))
    .join('\r\n');
  sameAsWhole(t, indented, true);
});

test('a List the cut cannot read soundly is parsed whole: aliases across items, flow items, a broken item', (t) => {
  const list = serviceList(300);
  // An anchor in one item used by the next: only the whole parse resolves it.
  const aliased = list.replace('      app: list-3\n', '      app: &shared list-3\n').replace('      app: list-4\n', '      app: *shared\n');
  sameAsWhole(t, aliased, true);
  t.is(loadedObjects(aliased).find((o) => o.object.metadata.name === 'list-4')?.object.metadata.labels?.['app'], 'list-3');

  const broken = list.replace('    type: ClusterIP\n', '    type: [ClusterIP\n');
  const file = parseYamlFile(FILE, broken);
  const whole = parseWhole(broken);
  t.true(file.fatal);
  t.deepEqual(
    file.diagnostics.map((d) => [d.code, d.position?.line, d.position?.column]),
    whole.problems.map((p) => [p.code ?? 'EW_YAML_SYNTAX', p.line, p.column]),
    'the syntax error is reported as by the whole parse',
  );

  const flow = `apiVersion: v1\nkind: List\nitems: [${Array.from({ length: 1000 }, (_, i) => `{apiVersion: v1, kind: Service, metadata: {name: f-${i}}, spec: {ports: [{port: 80}]}}`).join(', ')}]\n`;
  sameAsWhole(t, flow, false);
});

test('a small List is not cut', (t) => {
  sameAsWhole(t, serviceList(3), false);
});

test('parsing and loading a large List give the event loop a turn per item', (t) => {
  const text = serviceList(300);
  const count = (steps: Generator<void, unknown, void>): number => {
    let yields = 0;
    while (steps.next().done !== true) yields++;
    return yields;
  };
  t.true(count(parsePieceSteps(text)) >= 300, 'the parse yields between items');
  const [document] = parseYamlFile(FILE, text).documents;
  if (document === undefined) return t.fail();
  t.true(count(documentObjectsSteps(document)) >= 300, 'the objects are made between turns too');
});
