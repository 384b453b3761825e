/**
 * A diagnostic is one problem found in the configuration: where it is (file, line, column), which object and field,
 * and a sentence a person can act on. Every layer (loading, validation, compilation) reports through this one type,
 * so the CLI, the logs and the admin API show problems the same way.
 */

export type Severity = 'error' | 'warning';

export interface SourcePosition {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, e.g. `EW_FIELD_INVALID`; listed in src/errors.ts. */
  readonly code: string;
  readonly message: string;
  readonly position?: SourcePosition;
  /** `Kind namespace/name`. */
  readonly object?: string;
  /** `spec.rules[0].http.paths[1].pathType`. */
  readonly field?: string;
}

/** `file:line:col: error EW_CODE: Ingress default/web: spec.rules[0].host: message` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? `${d.position.file}:${d.position.line}:${d.position.column}: ` : '';
  const what = d.object ? `${d.object}: ` : '';
  const field = d.field ? `${d.field}: ` : '';
  return `${where}${d.severity} ${d.code}: ${what}${field}${d.message}`;
}

/** Field paths are written as in kubectl's messages: `spec.ports[0].name`. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
