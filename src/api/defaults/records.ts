/** The plain-object view the defaulters work on: a JSON object they own (a private copy of the request body). */
export type MutableRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is MutableRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object under `parent[key]`, created (and attached) when it is missing or not an object. */
export function ensureRecord(parent: MutableRecord, key: string): MutableRecord {
  const value = parent[key];
  if (isRecord(value)) return value;
  const created: MutableRecord = {};
  parent[key] = created;
  return created;
}
