/**
 * Writes docs/configuration.md, the reference of every EdgewaySettings field, from
 * schema/edgeway-settings.schema.json: `node scripts/settings-doc.ts`. test/unit/settings-generated.test.ts fails when the
 * committed file and the schema disagree, so the descriptions, defaults and examples in the schema are the docs.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { settingsSchema, type SchemaNode } from '../src/config/settings-schema.ts';

const DURATION = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$';
const DRAIN_DURATION = '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+)$';
const HOST_PORT = '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$';

/** A value as it is written in the YAML document, on one line. */
function yamlValue(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function range(node: SchemaNode): string {
  const { minimum: min, maximum: max } = node;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** What kind of value a field takes, in words. */
function kind(node: SchemaNode): string {
  if (node.enum !== undefined) return `one of ${node.enum.map((v) => `\`${yamlValue(v)}\``).join(', ')}`;
  if (node.oneOf !== undefined) return node.oneOf.map(kind).join(', or ');
  if (node.pattern === DURATION || node.pattern === DRAIN_DURATION) return 'duration';
  if (node.pattern === HOST_PORT) return 'host:port';
  switch (node.type) {
    case 'integer':
    case 'number':
      return `${node.type}${range(node)}`;
    case 'array':
      return `list of ${node.items === undefined ? 'values' : node.items.type === 'object' ? 'objects' : kind(node.items)}`;
    default:
      return node.type ?? 'value';
  }
}

function entry(path: string, node: SchemaNode, required: boolean): string {
  const facts = [kind(node)];
  if (required) facts.push('required');
  // A section's presence is described in words; its fields carry the defaults.
  if (node.type !== 'object') facts.push(node.default === undefined ? 'no default' : `default \`${yamlValue(node.default)}\``);
  const example = node.examples?.[0];
  if (example !== undefined) facts.push(`example \`${yamlValue(example)}\``);
  return `- **\`${path}\`** (${facts.join('; ')})  \n  ${node.description ?? ''}`;
}

/** The fields under one node, depth first, in the schema's order; list items as `name[].field`. */
function fields(node: SchemaNode, prefix: string): string[] {
  const out: string[] = [];
  const container = node.type === 'array' && node.items?.properties !== undefined ? node.items : node;
  const base = container === node ? prefix : `${prefix}[]`;
  for (const [name, child] of Object.entries(container.properties ?? {})) {
    const path = base === '' ? name : `${base}.${name}`;
    out.push(entry(path, child, (container.required ?? []).includes(name)));
    out.push(...fields(child, path));
  }
  return out;
}

export function settingsMarkdown(): string {
  const spec = settingsSchema().properties?.['spec'];
  const sections = Object.entries(spec?.properties ?? {}).map(([name, node]) => {
    const body = node.type === 'object' || node.items?.properties !== undefined ? fields(node, name) : [];
    const head = node.type === 'object' ? (node.description ?? '') : entry(name, node, false);
    return [`## ${name}`, '', head, ...(body.length === 0 ? [] : ['', ...body]), ''].join('\n');
  });
  return [
    '# Configuration reference',
    '',
    'Generated from `schema/edgeway-settings.schema.json` by `node scripts/settings-doc.ts`; `npm test` checks that the',
    'two agree. Every field below sits under `spec` of the one settings document; all are optional, and command-line',
    'flags override them:',
    '',
    '```yaml',
    'apiVersion: edgeway.io/v1alpha1',
    'kind: EdgewaySettings',
    'metadata: { name: main }',
    'spec:',
    '  upstream: { connectTimeout: 1s }',
    '```',
    '',
    'A field that is missing takes its default; a field with a bad value is reported with its file, line and column and',
    'also takes its default, while the rest of the document applies. Durations are written Go-style (`500ms`, `5s`,',
    '`2m`, `1h30m`, `0`); addresses as `host:port`, IPv6 hosts in brackets (`[::1]:8080`).',
    '',
    ...sections,
  ].join('\n');
}

if (import.meta.main) writeFileSync(new URL('../docs/configuration.md', import.meta.url), settingsMarkdown());
