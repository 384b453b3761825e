/**
 * Canary splits as ingress-nginx defines them, for people moving from it: a second Ingress for the same host and
 * path with `nginx.ingress.kubernetes.io/canary: "true"` sends part of that path's traffic to its own Service.
 *
 * - `canary-by-header: NAME`: the header's value `always` sends to the canary, `never` to the main backend; with
 *   `canary-by-header-value: V`, the value V sends to the canary. Any other value falls through to the next rule.
 * - `canary-by-cookie: NAME`: the cookie's value `always` / `never`, as for the header; otherwise falls through.
 * - `canary-weight: N` (0..`canary-weight-total`, default total 100): the rest are split by weight at random.
 * Precedence is header, then cookie, then weight, as in ingress-nginx.
 *
 * `canaryAnnotations` parses an Ingress's annotations once at compile time; `choosesCanary` runs per request on a
 * route that has a split and allocates nothing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { cookieValue } from './cookie-value.ts';
import type { CanarySplit } from './route-table.ts';

const PREFIX = 'nginx.ingress.kubernetes.io/';
export const CANARY = `${PREFIX}canary`;
export const CANARY_WEIGHT = `${PREFIX}canary-weight`;
export const CANARY_WEIGHT_TOTAL = `${PREFIX}canary-weight-total`;
export const CANARY_BY_HEADER = `${PREFIX}canary-by-header`;
export const CANARY_BY_HEADER_VALUE = `${PREFIX}canary-by-header-value`;
export const CANARY_BY_COOKIE = `${PREFIX}canary-by-cookie`;

export function isCanary(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[CANARY] === 'true';
}

export type CanaryRules = Omit<CanarySplit, 'ingress' | 'backend' | 'backendKey'>;

/** The rules of a canary Ingress; problems are returned as [annotation, message] and that rule is left out. */
export function canaryAnnotations(annotations: Readonly<Record<string, string>>): { rules: CanaryRules; problems: [string, string][] } {
  const problems: [string, string][] = [];
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const text = annotations[key];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (/^[0-9]+$/.test(text) && n >= min && n <= max) return n;
    problems.push([key, `${JSON.stringify(text)} is not an integer from ${min} to ${max}; ${fallback} is used`]);
    return fallback;
  };
  const weightTotal = integer(CANARY_WEIGHT_TOTAL, 100, 1, 1_000_000);
  const weight = integer(CANARY_WEIGHT, 0, 0, weightTotal);
  const header = annotations[CANARY_BY_HEADER];
  const headerValue = annotations[CANARY_BY_HEADER_VALUE];
  const cookie = annotations[CANARY_BY_COOKIE];
  const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
  const rules: { -readonly [K in keyof CanaryRules]: CanaryRules[K] } = { weight, weightTotal };
  if (header !== undefined) {
    if (token.test(header)) {
      rules.header = header.toLowerCase();
      if (headerValue !== undefined) rules.headerValue = headerValue;
    } else problems.push([CANARY_BY_HEADER, `${JSON.stringify(header)} is not a header name; the header rule is ignored`]);
  } else if (headerValue !== undefined) {
    problems.push([CANARY_BY_HEADER_VALUE, `canary-by-header-value needs canary-by-header; it is ignored`]);
  }
  if (cookie !== undefined) {
    if (token.test(cookie)) rules.cookie = cookie;
    else problems.push([CANARY_BY_COOKIE, `${JSON.stringify(cookie)} is not a cookie name; the cookie rule is ignored`]);
  }
  return { rules, problems };
}

/** Whether this request goes to the canary. `random` is injectable for tests. */
export function choosesCanary(split: CanarySplit, headers: IncomingHttpHeaders, random: () => number = Math.random): boolean {
  if (split.header !== undefined) {
    const raw = headers[split.header];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) {
      if (split.headerValue !== undefined) {
        if (value === split.headerValue) return true;
      } else if (value === 'always') return true;
      else if (value === 'never') return false;
    }
  }
  if (split.cookie !== undefined) {
    const value = cookieValue(headers.cookie, split.cookie);
    if (value === 'always') return true;
    if (value === 'never') return false;
  }
  if (split.weight === 0) return false;
  if (split.weight >= split.weightTotal) return true;
  return random() * split.weightTotal < split.weight;
}
