/**
 * Which of ingress-nginx's `nginx.ingress.kubernetes.io/*` annotations edgeway honours, and a warning on the Ingress
 * for each one it does not: an Ingress moved from ingress-nginx must not silently lose what an annotation did for
 * it (a source range, an authentication, a rewrite). Snippet annotations carry nginx configuration text; edgeway
 * never runs it, and says so with its own code, since a snippet is often what made a route safe or correct.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { objectRef, type Ingress } from '../k8s/types.ts';
import { UNIMPLEMENTED_AUTH } from './access-policy.ts';

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

/** Honoured on an Ingress (docs/annotations.md lists what each does). */
export const HONOURED_ON_INGRESS: ReadonlySet<string> = new Set([
  'ssl-redirect',
  'force-ssl-redirect',
  'proxy-next-upstream',
  'proxy-next-upstream-tries',
  'proxy-next-upstream-timeout',
  'proxy-read-timeout',
  'proxy-connect-timeout',
  'proxy-send-timeout',
  'proxy-body-size',
  'canary',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-cookie',
  'canary-weight',
  'canary-weight-total',
  'whitelist-source-range',
  'allowlist-source-range',
  'denylist-source-range',
  'auth-type',
  'auth-secret',
  'auth-secret-type',
  'auth-realm',
  'limit-rps',
  'limit-rpm',
  'limit-burst-multiplier',
  'limit-connections',
  'limit-whitelist',
]);

/** Read on the Service instead: one backend must not behave one way for one Ingress and another way for the next. */
const READ_ON_SERVICE: ReadonlySet<string> = new Set(['backend-protocol']);

/**
 * Honoured on a canary Ingress: its requests carry the main route's policy (timeouts, access rules), so only the
 * split itself is read there.
 */
export const HONOURED_ON_CANARY: ReadonlySet<string> = new Set([
  'canary',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-cookie',
  'canary-weight',
  'canary-weight-total',
]);

/** One warning per ingress-nginx annotation on the Ingress that edgeway does not honour. */
export function unhonouredAnnotations(loaded: LoadedObject<Ingress>, honoured: ReadonlySet<string> = HONOURED_ON_INGRESS): readonly Diagnostic[] {
  // `annotations:` with nothing under it reads as null.
  const annotations = loaded.object.metadata.annotations ?? {};
  const out: Diagnostic[] = [];
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(NGINX_PREFIX)) continue;
    const name = key.slice(NGINX_PREFIX.length);
    // Reported by access-policy.ts as errors: those routes refuse every request.
    if (honoured.has(name) || (honoured === HONOURED_ON_INGRESS && UNIMPLEMENTED_AUTH.includes(name))) continue;
    const field = ['metadata', 'annotations', key];
    const snippet = name.endsWith('-snippet') || name === 'snippet';
    out.push({
      severity: 'warning',
      code: snippet ? 'EW_ANNOTATION_SNIPPET_REFUSED' : 'EW_ANNOTATION_UNSUPPORTED',
      message: snippet
        ? `${key} holds nginx configuration, which edgeway never runs: whatever it did (headers, access rules, rewrites) does not happen here`
        : honoured !== HONOURED_ON_INGRESS && HONOURED_ON_INGRESS.has(name)
          ? `${key} is not read on a canary Ingress: its requests follow the main Ingress's settings`
          : READ_ON_SERVICE.has(name)
            ? `${key} is not read on an Ingress: edgeway reads it on the backend Service (see docs/annotations.md)`
            : `${key} is not honoured by edgeway: what it does in ingress-nginx does not happen here (see docs/annotations.md)`,
      position: loaded.locate(field),
      object: objectRef(loaded.object),
      field: formatFieldPath(field),
    });
  }
  return out;
}
