/** The plain-object view the defaulters work on: a JSON object they own (a private copy of the request body). */
export type MutableRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is MutableRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
