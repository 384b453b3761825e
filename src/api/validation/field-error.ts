/**
 * One field error as the API server words it (apimachinery's field.Error): a type such as `Invalid value` or
 * `Required value`, the field path, the offending value and a detail. edgeway's validators and allocators report
 * Diagnostics in their own words (with hints for files); this file maps each one to the API server's wording, so
 * kubectl prints through the API what users know from a cluster, while edgeway's own messages stay as they are.
 *
 * Pure: the mapping reads the diagnostic's code, field and message only.
 */
import type { Diagnostic } from '../../config/diagnostic.ts';

/** The StatusCause reasons of field errors, as the API server names them. */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueTypeInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden';

export interface FieldError {
  readonly type: FieldErrorType;
  /** `spec.ports[0].nodePort`; empty when the error concerns the whole object. */
  readonly field: string;
  /** The value, already printed as the API server prints it (`30007`, `"web"`). */
  readonly value?: string;
  readonly detail?: string;
}

const LABELS: Readonly<Record<FieldErrorType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
};

/** The body of the error without its field: `Invalid value: 30007: provided port is already allocated`. */
export function errorBody(e: FieldError): string {
  let out = LABELS[e.type];
  if (e.value !== undefined) out += `: ${e.value}`;
  if (e.detail !== undefined && e.detail !== '') out += `: ${e.detail}`;
  return out;
}

/** `spec.ports[0].port: Required value`, as it appears inside the Status message. */
export function errorText(e: FieldError): string {
  return e.field === '' ? errorBody(e) : `${e.field}: ${errorBody(e)}`;
}

/** A value at the start of an edgeway message: a JSON string, or a number. */
const LEADING_VALUE = /^("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)(?::)? (.*)$/s;
/** The owner edgeway adds to allocation messages, which the API server never names. */
const OWNER_SUFFIX = / \(to Service [^)]*\)$/;

/** The API server's field error for one edgeway diagnostic. */
export function fieldErrorOf(d: Diagnostic): FieldError {
  const field = d.field ?? '';
  const message = d.message;
  switch (d.code) {
    case 'EW_FIELD_REQUIRED':
      return { type: 'FieldValueRequired', field };
    case 'EW_NODEPORT_TAKEN':
    case 'EW_NODEPORT_OUT_OF_RANGE':
      return leadingValue('FieldValueInvalid', field, message.replace(OWNER_SUFFIX, ''));
    case 'EW_CLUSTERIP_TAKEN':
    case 'EW_CLUSTERIP_OUT_OF_RANGE':
      return clusterIpError(field, message.replace(OWNER_SUFFIX, ''));
    case 'EW_FIELD_TYPE':
      return { type: 'FieldValueTypeInvalid', field, detail: message };
    case 'EW_FIELD_INVALID':
      return invalidField(field, message);
    default:
      return leadingValue('FieldValueInvalid', field, message);
  }
}

function invalidField(field: string, message: string): FieldError {
  const unsupported = /^("(?:[^"\\]|\\.)*") is not (?:supported|a path type|an operator): use (.*)$/s.exec(message);
  if (unsupported !== null) {
    return { type: 'FieldValueNotSupported', field, value: unsupported[1] ?? '', detail: `supported values: ${supportedValues(unsupported[2] ?? '')}` };
  }
  const duplicateName = /^("(?:[^"\\]|\\.)*") is (?:already the name of port \[\d+\]|the name of another container)/.exec(message);
  if (duplicateName !== null) return { type: 'FieldValueDuplicate', field, value: duplicateName[1] ?? '' };
  const duplicatePort = /^(\d+)\/(TCP|UDP|SCTP) is already declared by port \[\d+\]/.exec(message);
  if (duplicatePort !== null) {
    // The API server reports the whole port entry, keyed by protocol and port, printed as Go prints the struct.
    const value =
      `core.ServicePort{Name:"", Protocol:"${duplicatePort[2]}", AppProtocol:(*string)(nil), Port:${duplicatePort[1]}, ` +
      'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}';
    return { type: 'FieldValueDuplicate', field: field.replace(/\.port$/, ''), value };
  }
  const name = /^("(?:[^"\\]|\\.)*") must be a (DNS-1123 label|DNS-1123 subdomain|DNS-1035 label):/.exec(message);
  if (name !== null) return nameError(field, name[1] ?? '""', name[2] ?? '');
  const badPort = /^(-?\d+) is not a valid port number/.exec(message);
  if (badPort !== null) return { type: 'FieldValueInvalid', field, value: badPort[1] ?? '', detail: 'must be between 1 and 65535, inclusive' };
  const nodePortType = /^may not be set when type is (\w+)/.exec(message);
  if (nodePortType !== null) return { type: 'FieldValueForbidden', field, detail: `may not be used when \`type\` is '${nodePortType[1]}'` };
  return leadingValue('FieldValueInvalid', field, message);
}

/** The API server's explanations of its name rules, with the longest name each allows. */
const NAME_RULES: Readonly<Record<string, { readonly max: number; readonly explanation: string }>> = {
  'DNS-1123 label': {
    max: 63,
    explanation:
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
      "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  },
  'DNS-1123 subdomain': {
    max: 253,
    explanation:
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
      "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  },
  'DNS-1035 label': {
    max: 63,
    explanation:
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character " +
      "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  },
};

/** A bad name: too long, or not matching the rule, each with the API server's sentence. */
function nameError(field: string, quoted: string, rule: string): FieldError {
  const known = NAME_RULES[rule];
  if (known === undefined) return { type: 'FieldValueInvalid', field, value: quoted };
  const value = JSON.parse(quoted) as string;
  const detail = value.length > known.max ? `must be no more than ${known.max} characters` : known.explanation;
  return { type: 'FieldValueInvalid', field, value: quoted, detail };
}

/** `"a", "b"` from edgeway's `a, b or c` list of alternatives. */
function supportedValues(alternatives: string): string {
  const items = alternatives
    .replace(/[.;].*$/s, '')
    .split(/, | or /)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.map((s) => (s.startsWith('"') ? s : JSON.stringify(s))).join(', ');
}

function leadingValue(type: FieldErrorType, field: string, message: string): FieldError {
  const m = LEADING_VALUE.exec(message);
  if (m === null) return { type, field, detail: message };
  return { type, field, value: m[1] ?? '', detail: m[2] ?? '' };
}

/** The API server reports ClusterIP allocation on `spec.clusterIPs`, its value printed as a Go string slice. */
function clusterIpError(field: string, message: string): FieldError {
  const ip = (/IP \(?([0-9a-fA-F:.]*[0-9a-fA-F])\)?/.exec(message) ?? /^"([^"]*)"/.exec(message))?.[1];
  const path = field === 'spec.clusterIP' || field === '' ? 'spec.clusterIPs' : field;
  if (ip === undefined) return { type: 'FieldValueInvalid', field: path, detail: message };
  const detail = message.startsWith('failed to allocate') ? message : `failed to allocate IP ${ip}: ${message}`;
  return { type: 'FieldValueInvalid', field: path, value: `[]string{${JSON.stringify(ip)}}`, detail };
}
