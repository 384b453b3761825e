/**
 * The settings schema is the one source of the settings: the generated docs and types agree with it, every default
 * in it is valid and converts, and every field it describes is read by the document reader.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stringify } from 'yaml';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { settingsSchema, type SchemaNode } from '../../src/config/settings-schema.ts';
import { settingsMarkdown } from '../../scripts/settings-doc.ts';
import { settingsSpecSource } from '../../scripts/settings-types.ts';

const root = join(import.meta.dirname, '..', '..');
const spec = settingsSchema().properties?.['spec'] ?? {};

/** Every node under spec with its dotted path, list items as `name[]`. */
function nodes(node: SchemaNode, prefix: string): [string, SchemaNode][] {
  const children = Object.entries(node.properties ?? {}).map(([name, child]): [string, SchemaNode] => [prefix === '' ? name : `${prefix}.${name}`, child]);
  const items: [string, SchemaNode][] = node.items === undefined ? [] : [[`${prefix}[]`, node.items]];
  return [...children, ...items].flatMap(([path, child]) => [[path, child] as [string, SchemaNode], ...nodes(child, path)]);
}

/** A settings document with one value written at a spec path. */
function withValue(path: string, value: unknown): string {
  const object: Record<string, unknown> = {};
  let at = object;
  const names = path.split('.');
  names.slice(0, -1).forEach((name) => {
    const inner: Record<string, unknown> = {};
    at[name] = inner;
    at = inner;
  });
  at[names.at(-1) ?? ''] = value;
  return stringify({ apiVersion: 'edgeway.io/v1alpha1', kind: 'EdgewaySettings', metadata: { name: 's' }, spec: object });
}

test('docs/configuration.md is generated from the schema (run node scripts/settings-doc.ts after changing it)', (t) => {
  t.is(readFileSync(join(root, 'docs', 'configuration.md'), 'utf8'), settingsMarkdown());
});

test('src/config/settings-spec.ts is generated from the schema (run node scripts/settings-types.ts after changing it)', (t) => {
  t.is(readFileSync(join(root, 'src', 'config', 'settings-spec.ts'), 'utf8'), settingsSpecSource());
});

test('every default and example in the schema is valid for its own field', (t) => {
  const ajv = new Ajv2020({ strict: false });
  for (const [path, node] of nodes(spec, '')) {
    const validate = ajv.compile(node);
    if (node.default !== undefined) t.true(validate(node.default), `default of ${path}: ${ajv.errorsText(validate.errors)}`);
    for (const example of node.examples ?? []) t.true(validate(example), `example ${JSON.stringify(example)} of ${path}: ${ajv.errorsText(validate.errors)}`);
  }
});

/** Fields of an object whose presence means something (HTTPS on, a Secret or Service named) or of a list item. */
function insideOptionalObject(path: string): boolean {
  return (
    path.includes('[]') ||
    path.startsWith('entrypoints.https.') ||
    nodes(spec, '').some(([outer, o]) => path.startsWith(`${outer}.`) && o.required !== undefined)
  );
}

test('every default written out explicitly reads as the defaults', (t) => {
  for (const [path, node] of nodes(spec, '')) {
    if (node.default === undefined || insideOptionalObject(path)) continue;
    const load = loadConfigText([{ path: 's.yaml', text: withValue(path, node.default) }]);
    t.deepEqual(load.diagnostics, [], path);
    t.deepEqual(load.settings, DEFAULT_SETTINGS, path);
  }
});

test('every field of the schema is read: writing its example changes the settings', (t) => {
  // Objects with required fields or an example of their own are written whole; list items are covered by their list.
  const whole = (node: SchemaNode): boolean => node.properties === undefined || node.required !== undefined || node.examples !== undefined;
  const checked = nodes(spec, '').filter(([path, node]) => whole(node) && (path.startsWith('entrypoints.https.') || !insideOptionalObject(path)));
  t.true(checked.length > 70, String(checked.length));
  for (const [path, node] of checked) {
    const example = node.examples?.[0];
    t.not(example, undefined, `${path} has an example`);
    const load = loadConfigText([{ path: '/etc/edgeway/s.yaml', text: withValue(path, example) }]);
    t.deepEqual(load.diagnostics, [], path);
    t.false(isDeepStrictEqual(load.settings, DEFAULT_SETTINGS), `${path}: ${JSON.stringify(example)} is read`);
  }
});
