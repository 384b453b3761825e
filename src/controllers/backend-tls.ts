/**
 * Whether a backend Service port is reached over TLS, and how: computed once per snapshot from the Service, so the
 * data plane only picks the pool. A port speaks TLS when its `appProtocol` is `https`, or when the Service is
 * annotated `edgeway.io/backend-protocol: HTTPS` (`nginx.ingress.kubernetes.io/backend-protocol` is read too, for
 * people coming from ingress-nginx). The annotations live on the Service, not the Ingress: the Service knows what
 * its pods speak, and one backend (one pool set) must not be TLS for one Ingress and plain for another.
 *
 * - SNI: `<service>.<namespace>.svc.cluster.local`, or `edgeway.io/backend-tls-server-name`.
 * - Verification: on, against Node's bundled CAs, or against the PEM bundle under key `ca.crt` of the object named by
 *   `edgeway.io/backend-tls-ca`: `secret:ns/name`, `configmap:ns/name`, or `ns/name` / `name` (a Secret; the
 *   Service's namespace when none is given). Off only with `edgeway.io/backend-tls-verify: "false"`.
 * - A CA that cannot be found or parsed is an error on the Service; verification stays on against the bundled CAs, so
 *   requests fail closed (502) rather than trusting anything.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Diagnostic } from '../config/diagnostic.ts';
import { formatFieldPath } from '../config/diagnostic.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Code } from '../errors.ts';
import type { KubeObject, Secret, Service } from '../k8s/types.ts';
import { objectRef } from '../k8s/types.ts';
import type { StoreReader } from '../store/object-store.ts';

/** How the pool connects to an endpoint over TLS. */
export interface BackendTls {
  readonly servername: string;
  /** PEM bundle; null: Node's bundled CAs. */
  readonly ca: string | null;
  readonly verify: boolean;
  /** Identifies these options in pool keys: two Services with different CAs never share a pool. */
  readonly key: string;
}

/** The TLS options to reach such a backend with, for undici's connector and for raw tunnels alike. */
export function tlsConnectOptions(tls: BackendTls): { servername: string; rejectUnauthorized: boolean; ca?: string } {
  return { servername: tls.servername, rejectUnauthorized: tls.verify, ...(tls.ca === null ? {} : { ca: tls.ca }) };
}

export interface BackendTlsResult {
  readonly tls: BackendTls | null;
  readonly diagnostics: readonly Diagnostic[];
}

export const BACKEND_PROTOCOL = 'edgeway.io/backend-protocol';
export const NGINX_BACKEND_PROTOCOL = 'nginx.ingress.kubernetes.io/backend-protocol';
export const BACKEND_TLS_SERVER_NAME = 'edgeway.io/backend-tls-server-name';
export const BACKEND_TLS_CA = 'edgeway.io/backend-tls-ca';
export const BACKEND_TLS_VERIFY = 'edgeway.io/backend-tls-verify';

interface ConfigMap extends KubeObject {
  kind: 'ConfigMap';
  data?: Record<string, string>;
}

const CA_KEY = 'ca.crt';
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** @param appProtocol the Service port's appProtocol, as resolved for the backend. */
export function backendTls(store: StoreReader, loaded: LoadedObject<Service>, appProtocol: string | undefined): BackendTlsResult {
  const service = loaded.object;
  const annotations = service.metadata.annotations ?? {};
  const protocol = annotations[BACKEND_PROTOCOL] ?? annotations[NGINX_BACKEND_PROTOCOL];
  const tls = appProtocol?.toLowerCase() === 'https' || protocol?.toUpperCase() === 'HTTPS';
  if (!tls) return { tls: null, diagnostics: [] };

  const namespace = service.metadata.namespace ?? 'default';
  const diagnostics: Diagnostic[] = [];
  const report = (code: Code, annotation: string, message: string): void => {
    const path = ['metadata', 'annotations', annotation];
    diagnostics.push({ severity: 'error', code, message, position: loaded.locate(path), object: objectRef(service), field: formatFieldPath(path) });
  };
  const servername = annotations[BACKEND_TLS_SERVER_NAME] ?? `${service.metadata.name}.${namespace}.svc.cluster.local`;
  const verify = annotations[BACKEND_TLS_VERIFY]?.toLowerCase() !== 'false';
  let ca: string | null = null;
  const caRef = annotations[BACKEND_TLS_CA];
  if (caRef !== undefined && verify) {
    const found = readCa(store, caRef, namespace);
    if (typeof found === 'string') ca = found;
    else
      report(
        found.code,
        BACKEND_TLS_CA,
        `${found.message}; the backend is verified against the bundled public CAs until this is fixed, so requests to it will likely fail with 502`,
      );
  }
  const caHash = ca === null ? '-' : createHash('sha256').update(ca).digest('hex').slice(0, 16);
  return { tls: { servername, ca, verify, key: `${servername}|${verify ? 'verify' : 'noverify'}|${caHash}` }, diagnostics };
}

type CaProblem = { readonly code: Code; readonly message: string };

function readCa(store: StoreReader, ref: string, defaultNamespace: string): string | CaProblem {
  const m = /^(?:(secret|configmap):)?(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)$/i.exec(ref.trim());
  if (m === null) {
    return {
      code: 'EW_BACKEND_TLS_CA_INVALID',
      message: `"${ref}" is not a CA reference: write secret:namespace/name, configmap:namespace/name or namespace/name (a Secret)`,
    };
  }
  const kind = m[1]?.toLowerCase() === 'configmap' ? 'ConfigMap' : 'Secret';
  const namespace = m[2] ?? defaultNamespace;
  const name = m[3] ?? '';
  let pem: string | undefined;
  if (kind === 'ConfigMap') {
    const found = store.get<ConfigMap>('ConfigMap', namespace, name);
    if (found === undefined)
      return {
        code: 'EW_BACKEND_TLS_CA_MISSING',
        message: `ConfigMap ${namespace}/${name} does not exist; create it with the CA bundle under data."${CA_KEY}"`,
      };
    pem = found.object.data?.[CA_KEY];
  } else {
    const found = store.get<Secret>('Secret', namespace, name);
    if (found === undefined)
      return {
        code: 'EW_BACKEND_TLS_CA_MISSING',
        message: `Secret ${namespace}/${name} does not exist; create it with the CA bundle under data."${CA_KEY}" (base64) or stringData`,
      };
    const plain = found.object.stringData?.[CA_KEY];
    const encoded = found.object.data?.[CA_KEY];
    pem = plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
  }
  if (pem === undefined || pem === '')
    return { code: 'EW_BACKEND_TLS_CA_MISSING', message: `${kind} ${namespace}/${name} has no "${CA_KEY}" key; put the PEM CA bundle there` };
  const blocks = pem.match(CERT_BLOCK) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no "BEGIN CERTIFICATE" block');
    for (const b of blocks) new X509Certificate(b);
  } catch (e) {
    return {
      code: 'EW_BACKEND_TLS_CA_INVALID',
      message: `"${CA_KEY}" of ${kind} ${namespace}/${name} is not a PEM certificate bundle (${e instanceof Error ? e.message : String(e)})`,
    };
  }
  return blocks.join('\n') + '\n';
}
