/**
 * Per-route resilience settings compiled from an Ingress's annotations once per snapshot, so the data plane never
 * parses an annotation per request: the retry policy, the connect, read and send timeouts and the body-size limit. edgeway's own
 * `edgeway.io/*` annotations win over ingress-nginx's `nginx.ingress.kubernetes.io/*` ones, which are accepted where
 * they map, for people moving from it. A value edgeway cannot read is a diagnostic at the annotation's line and that
 * one setting keeps its default; the route is still served.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { parseNextUpstream, parseRetryOn, parseSize, type RetryOn, type RetryPolicy } from '../config/retry-policy.ts';
import type { Settings } from '../config/settings.ts';
import { parseDuration } from '../config/settings-document.ts';
import { objectRef, type KubeObject } from '../k8s/types.ts';
import type { AccessPolicy } from './access-policy.ts';

export interface RoutePolicy {
  readonly retry: RetryPolicy;
  /** Idle time allowed until the response headers and between body chunks (undici per request); 0 = the pool's. */
  readonly readTimeoutMs: number;
  /** Largest request body; 0 = no limit. */
  readonly maxBodyBytes: number;
  /**
   * Time allowed to connect to an endpoint; 0 = the pool's (`upstream.connectTimeout`). undici sets it per pool, so
   * a route with its own value reaches its endpoints through pools keyed also by it (bound-snapshot.ts).
   */
  readonly connectTimeoutMs: number;
  /**
   * Longest pause between two writes of the request body to the upstream while the upstream does not take it
   * (nginx's proxy_send_timeout); 0 = none. Watched by send-watch.ts.
   */
  readonly sendTimeoutMs: number;
  /** Source ranges, basic authentication and per-client limits (access-policy.ts); null: open to all. */
  readonly access: AccessPolicy | null;
}

const EDGEWAY = 'edgeway.io/';
const NGINX = 'nginx.ingress.kubernetes.io/';

/** The policy of routes without annotations; one object per settings so routes share it. */
const defaults = new WeakMap<Settings, RoutePolicy>();
export function defaultRoutePolicy(settings: Settings): RoutePolicy {
  let policy = defaults.get(settings);
  if (policy === undefined) {
    policy = Object.freeze({
      retry: settings.retries.policy,
      readTimeoutMs: 0,
      maxBodyBytes: settings.downstream.maxBodyBytes,
      connectTimeoutMs: 0,
      sendTimeoutMs: 0,
      access: null,
    });
    defaults.set(settings, policy);
  }
  return policy;
}

export interface CompiledPolicy {
  readonly policy: RoutePolicy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads the Ingress's annotations; without any that concern routes, returns the shared default. */
export function compileRoutePolicy(loaded: LoadedObject, settings: Settings): CompiledPolicy {
  const annotations = loaded.object.metadata.annotations ?? {};
  const diagnostics: Diagnostic[] = [];
  const base = defaultRoutePolicy(settings);
  let touched = false;
  const read = (name: string): string | undefined => {
    const value = annotations[name];
    if (value !== undefined) touched = true;
    return value;
  };
  const report = (severity: Diagnostic['severity'], code: string, name: string, message: string): undefined => {
    const field = ['metadata', 'annotations', name];
    diagnostics.push({
      severity,
      code,
      message,
      position: loaded.locate(field),
      object: objectRef(loaded.object as KubeObject),
      field: formatFieldPath(field),
    });
    return undefined;
  };
  /** Seconds as nginx writes them (`60`), or a Go duration (`500ms`). */
  const duration = (name: string): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const ms = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) * 1000 : parseDuration(text.trim());
    return ms ?? report('error', 'EW_ANNOTATION_INVALID', name, `"${text}" is not a duration: write seconds ("60") or e.g. "500ms", "5s"; the default applies`);
  };
  const count = (name: string, max: number): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const n = /^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    return n <= max ? n : report('error', 'EW_ANNOTATION_INVALID', name, `"${text}" is not a whole number from 0 to ${max}; the default applies`);
  };

  /** A timeout of 0 would never let a request through: refused, so the default applies. */
  const positive = (name: string, ms: number | undefined): number | undefined =>
    ms === undefined || ms > 0
      ? ms
      : report('error', 'EW_ANNOTATION_INVALID', name, `a timeout of 0 would fail every request: give a positive duration ("5", "500ms"); the default applies`);

  let on: RetryOn = base.retry.on;
  const nextUpstream = read(`${NGINX}proxy-next-upstream`);
  if (nextUpstream !== undefined) {
    const parsed = parseNextUpstream(nextUpstream);
    on = parsed.on;
    if (parsed.ignored.length > 0) {
      report(
        'warning',
        'EW_ANNOTATION_IGNORED',
        `${NGINX}proxy-next-upstream`,
        `${parsed.ignored.map((w) => `"${w}"`).join(', ')} not applied: edgeway retries errors, timeouts and http_500/502/503/504, and 5xx only for idempotent requests`,
      );
    }
  }
  const retryOn = read(`${EDGEWAY}retry-on`);
  if (retryOn !== undefined) {
    const parsed = parseRetryOn(retryOn);
    if ('unknown' in parsed) {
      report(
        'error',
        'EW_ANNOTATION_INVALID',
        `${EDGEWAY}retry-on`,
        `"${parsed.unknown}" is not a retry condition: use a comma-separated list of connect-failure, reset, timeout, 500, 502, 503, 504, 5xx, gateway-error; the default applies`,
      );
    } else on = parsed;
  }
  // nginx counts tries including the first, and 0 means "unlimited": taken as 5 retries, the budget still caps them.
  const tries = count(`${NGINX}proxy-next-upstream-tries`, 100);
  const retries = count(`${EDGEWAY}retry-attempts`, 10) ?? (tries === undefined ? base.retry.retries : tries === 0 ? 5 : tries - 1);
  const perTry = duration(`${EDGEWAY}per-try-timeout`) ?? base.retry.perTryTimeoutMs;
  const total = duration(`${NGINX}proxy-next-upstream-timeout`) ?? base.retry.totalTimeoutMs;
  const readTimeout = duration(`${NGINX}proxy-read-timeout`) ?? 0;
  const connectTimeout = positive(`${NGINX}proxy-connect-timeout`, duration(`${NGINX}proxy-connect-timeout`)) ?? 0;
  const sendTimeout = positive(`${NGINX}proxy-send-timeout`, duration(`${NGINX}proxy-send-timeout`)) ?? 0;
  let maxBody = base.maxBodyBytes;
  const bodySize = read(`${NGINX}proxy-body-size`);
  if (bodySize !== undefined) {
    const bytes = parseSize(bodySize);
    if (bytes === undefined)
      report(
        'error',
        'EW_ANNOTATION_INVALID',
        `${NGINX}proxy-body-size`,
        `"${bodySize}" is not a size: write bytes or e.g. "512k", "8m", "1g" ("0" = no limit); the default applies`,
      );
    else maxBody = bytes;
  }
  if (!touched) return { policy: base, diagnostics };
  const retry: RetryPolicy = Object.freeze({ retries, on, perTryTimeoutMs: perTry, totalTimeoutMs: total });
  return {
    policy: Object.freeze({
      retry,
      readTimeoutMs: readTimeout,
      maxBodyBytes: maxBody,
      connectTimeoutMs: connectTimeout,
      sendTimeoutMs: sendTimeout,
      access: null,
    }),
    diagnostics,
  };
}
