/**
 * Writes src/config/settings-spec.ts, the TypeScript type of the EdgewaySettings document, from
 * schema/edgeway-settings.schema.json: `node scripts/settings-types.ts`. test/unit/settings-generated.test.ts fails when
 * the committed file is stale, so a schema change that the reader in settings-document.ts does not follow fails the
 * type check.
 *
 * A property with a `default` is required in the type: the reader fills it from the schema when the document leaves
 * it out. One without a default stays optional (the setting is off or unset until written).
 */
import { writeFileSync } from 'node:fs';
import { settingsSchema, type SchemaNode } from '../src/config/settings-schema.ts';

function typeOf(node: SchemaNode, indent: string): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.oneOf !== undefined) return node.oneOf.map((branch) => typeOf(branch, indent)).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = node.items === undefined ? 'unknown' : typeOf(node.items, indent);
      return item.includes(' ') && !item.startsWith('{') ? `readonly (${item})[]` : `readonly ${item}[]`;
    }
    case 'object':
      return objectType(node, indent);
    default:
      throw new Error(`the schema has a node without a type this generator knows: ${JSON.stringify(node).slice(0, 80)}`);
  }
}

function objectType(node: SchemaNode, indent: string): string {
  const inner = `${indent}  `;
  const lines = Object.entries(node.properties ?? {}).map(([name, child]) => {
    const optional = child.default === undefined && !(node.required ?? []).includes(name);
    const doc = child.description === undefined ? '' : `${inner}/** ${child.description.replaceAll('*/', '*\\/')} */\n`;
    return `${doc}${inner}readonly ${name}${optional ? '?' : ''}: ${typeOf(child, inner)};`;
  });
  if (node.additionalProperties !== false) lines.push(`${inner}readonly [key: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

export function settingsSpecSource(): string {
  return [
    '/**',
    ' * The EdgewaySettings document as settings-document.ts reads it: every field with a schema default present.',
    ' * Generated from schema/edgeway-settings.schema.json by `node scripts/settings-types.ts`; do not edit.',
    ' */',
    '',
    `export interface SettingsSpecDocument ${objectType(settingsSchema(), '')}`,
    '',
    "export type SettingsSpec = NonNullable<SettingsSpecDocument['spec']>;",
    '',
  ].join('\n');
}

if (import.meta.main) writeFileSync(new URL('../src/config/settings-spec.ts', import.meta.url), settingsSpecSource());
