/**
 * Strings as the API server reads them. kubectl and the API server read YAML 1.1, where a plain (unquoted) `off`,
 * `yes`, `y`, `0x1F` or `1_000` is a boolean or a number; edgeway's parser reads YAML 1.2, where they are strings.
 * Where Kubernetes requires a string (labels, annotations, selectors), such a value would be refused by
 * `kubectl apply`, so it is refused here too, with the API server's message and the field, rather than accepted
 * with a meaning the cluster would never give it; unquoted `true` or `5`, which are no strings in YAML 1.2 either, get
 * the same message. Configuration files only: objects written through the API come
 * as JSON, and edgeway's own state file is written with YAML 1.2 quoting.
 */
import { formatFieldPath, type Diagnostic } from './diagnostic.ts';
import { type FieldPath, type SourceNode, valueAt } from './yaml-source.ts';

/** Maps of string values every object may have, and those of particular kinds. */
const STRING_MAPS: readonly FieldPath[] = [
  ['metadata', 'labels'],
  ['metadata', 'annotations'],
];
const KIND_STRING_MAPS: Readonly<Record<string, readonly FieldPath[]>> = {
  Service: [['spec', 'selector']],
  Deployment: [
    ['spec', 'selector', 'matchLabels'],
    ['spec', 'template', 'metadata', 'labels'],
    ['spec', 'template', 'metadata', 'annotations'],
  ],
};

// As the API server's YAML reader (go-yaml v2) resolves plain scalars: these booleans; integers in any base Go's
// ParseInt takes (underscores allowed); floats with an optional exponent; infinities and NaN.
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_INT = /^[-+]?(?:0[bB][01_]+|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|[0-9][0-9_]*)$/;
const YAML11_FLOAT = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** What YAML 1.1 reads a plain scalar as, when not a string. */
export function yaml11TypeOf(text: string): 'bool' | 'number' | undefined {
  if (YAML11_BOOL.test(text)) return 'bool';
  if (YAML11_INT.test(text) || YAML11_FLOAT.test(text)) return 'number';
  return undefined;
}

/** Errors for every plain (unquoted) value YAML 1.1 reads as a boolean or a number, where a string is required. */
export function yaml11StringProblems(node: SourceNode, kind: string, objectRef: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const path of [...STRING_MAPS, ...(KIND_STRING_MAPS[kind] ?? [])]) {
    const map = valueAt(node.value, path);
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
      const at = [...path, key];
      const text = typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' ? node.plainScalar(at) : undefined;
      if (text === undefined) continue;
      const type = yaml11TypeOf(text) ?? (typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'number' : undefined);
      if (type === undefined) continue;
      const goField = path[0] === 'metadata' ? `ObjectMeta.${path.join('.')}` : `${kind}.${path.join('.')}`;
      problems.push({
        severity: 'error',
        code: 'EW_FIELD_TYPE',
        message:
          `${kind} cannot be handled as a ${kind}: json: cannot unmarshal ${type} into Go struct field ${goField} of type string ` +
          `(YAML 1.1, which kubectl and the API server read, takes the unquoted ${text} as a ${type === 'bool' ? 'boolean' : 'number'}); quote it: "${text}"`,
        position: node.locate(at),
        object: objectRef,
        field: formatFieldPath(at),
      });
    }
  }
  return problems;
}
