/**
 * Port rules shared by Services, Endpoints, EndpointSlices, Pods and Ingress backends: numbers in 1–65535, the three
 * protocols, and ports referred to by number or by IANA service name.
 */
import type { FieldPath, Report } from './report.ts';
import { ianaServiceName } from './names.ts';
import { check, describe, integer, isAbsent, oneOf, string } from './values.ts';

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** Reads a port number, reporting it when out of range; `min` is 0 for hostPort-like fields where 0 means unset. */
export function portNumber(r: Report, value: unknown, path: FieldPath, min = 1): number | undefined {
  const port = integer(r, value, path);
  if (port === undefined) return undefined;
  if (port < min || port > 65535) {
    r.error('EW_FIELD_INVALID', path, `${port} is not a valid port number: use ${min}–65535`);
    return undefined;
  }
  return port;
}

export function protocol(r: Report, value: unknown, path: FieldPath): string {
  const text = string(r, value, path);
  oneOf(r, text, path, PROTOCOLS);
  return text ?? 'TCP';
}

/** A port given as a number or as a name (a Service targetPort, a probe port). */
export function portNumberOrName(r: Report, value: unknown, path: FieldPath): void {
  if (isAbsent(value)) return;
  if (typeof value === 'number') {
    portNumber(r, value, path);
    return;
  }
  if (typeof value === 'string') {
    check(r, value, path, ianaServiceName);
    return;
  }
  r.error('EW_FIELD_TYPE', path, `must be a port number or a port name, not ${describe(value)}`);
}

/**
 * Port names in a list of ports: unique, valid under `rule`, and present on every port when `requireWhenMany` and
 * there is more than one port (so each can be told apart, as Services and Endpoints require).
 */
export function checkPortNames(
  r: Report,
  names: readonly (string | undefined)[],
  path: (i: number) => FieldPath,
  rule: (v: string) => string | undefined,
  requireWhenMany: boolean,
): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined || name === '') {
      if (requireWhenMany && names.length > 1) {
        r.error('EW_FIELD_REQUIRED', path(i), 'is required when there is more than one port: give each port a unique name');
      }
      return;
    }
    check(r, name, path(i), rule);
    const first = seen.get(name);
    if (first !== undefined) {
      r.error('EW_FIELD_INVALID', path(i), `${JSON.stringify(name)} is already the name of port [${first}]: port names must be unique`);
    } else {
      seen.set(name, i);
    }
  });
}
