/**
 * Typed reads of untrusted YAML values. Each reader reports a type error at the field and returns `undefined`
 * (or an empty list), so a validator can keep going and find every other problem in the same object. A YAML `null`
 * counts as absent, as the API server treats it.
 */
import type { FieldPath, Report } from './report.ts';

export type Mapping = Readonly<Record<string, unknown>>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** Reads a child field; non-mappings have no children. */
export function child(parent: unknown, key: string): unknown {
  return isMapping(parent) ? parent[key] : undefined;
}

export function mapping(r: Report, value: unknown, path: FieldPath): Mapping | undefined {
  if (isAbsent(value)) return undefined;
  if (isMapping(value)) return value;
  r.error('EW_FIELD_TYPE', path, `must be a mapping of fields (key: value), not ${describe(value)}`);
  return undefined;
}

export function list(r: Report, value: unknown, path: FieldPath): readonly unknown[] {
  if (isAbsent(value)) return [];
  if (Array.isArray(value)) return value;
  r.error('EW_FIELD_TYPE', path, `must be a list (YAML "- item" entries), not ${describe(value)}`);
  return [];
}

export function string(r: Report, value: unknown, path: FieldPath): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return value;
  r.error('EW_FIELD_TYPE', path, `must be a string, not ${describe(value)}; quote it if it looks like a number or boolean`);
  return undefined;
}

export function integer(r: Report, value: unknown, path: FieldPath): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  r.error('EW_FIELD_TYPE', path, `must be an integer, not ${describe(value)}`);
  return undefined;
}

export function boolean(r: Report, value: unknown, path: FieldPath): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  r.error('EW_FIELD_TYPE', path, `must be true or false, not ${describe(value)}`);
  return undefined;
}

/** Reports a missing field; an empty string counts as missing, as in the API server's `Required value`. */
export function requirePresent(r: Report, value: unknown, path: FieldPath, hint: string): boolean {
  if (!isAbsent(value) && value !== '') return true;
  r.error('EW_FIELD_REQUIRED', path, `is required: ${hint}`);
  return false;
}

/** Checks a string against a rule that returns an error sentence, reporting it as EW_FIELD_INVALID. */
export function check(r: Report, value: string | undefined, path: FieldPath, rule: (v: string) => string | undefined): void {
  if (value === undefined) return;
  const problem = rule(value);
  if (problem !== undefined) r.error('EW_FIELD_INVALID', path, `${JSON.stringify(value)} ${problem}`);
}

/** Checks that a string is one of a fixed set. */
export function oneOf(r: Report, value: string | undefined, path: FieldPath, allowed: readonly string[]): void {
  if (value === undefined || allowed.includes(value)) return;
  r.error('EW_FIELD_INVALID', path, `${JSON.stringify(value)} is not supported: use ${alternatives(allowed)}`);
}

export function alternatives(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
