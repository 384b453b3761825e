/**
 * The YAML edgeway is started with in the bench: a selector-less Service `bench/backend` with hand-written Endpoints
 * pointing at the bench backend, the default IngressClass for edgeway, and Ingress host rules (one for the proxy
 * comparison, 10 or 10,000 for routing scale). No EdgewaySettings document: the CLI flags carry the addresses, and
 * everything else stays at its defaults (access logging included) so the measurement is of edgeway as shipped.
 * With `tls`, a kubernetes.io/tls Secret holds the bench certificate, the Ingress lists it in spec.tls, and a settings
 * document makes it the default certificate too (autocannon connects to an IP and sends no SNI).
 * Pure.
 */

import { stringify } from 'yaml';

export interface EdgewayConfigInput {
  readonly backendPort: number;
  /** Hosts with one rule each (Prefix `/` to the Service). */
  readonly hosts: readonly string[];
  /** Rules per Ingress object; large tables are split so both object count and rule count grow. */
  readonly rulesPerIngress?: number;
  /** Appended as they are (address scenarios). */
  readonly extraDocs?: readonly object[];
  /** The certificate and key (PEM) to terminate TLS with. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** More endpoints of the Service besides the bench backend (the balancing scenarios). */
  readonly extraPorts?: readonly number[];
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** An EdgewaySettings spec, when the scenario needs one. */
  readonly settings?: object;
  /** Annotations on every Ingress (the retry scenarios set their policy this way). */
  readonly ingressAnnotations?: Readonly<Record<string, string>>;
}

const NAMESPACE = 'bench';

export function edgewayConfig(input: EdgewayConfigInput): string {
  const perIngress = input.rulesPerIngress ?? 100;
  const docs: object[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'backend', namespace: NAMESPACE, ...(input.serviceAnnotations === undefined ? {} : { annotations: input.serviceAnnotations }) },
      spec: { ports: [{ name: 'http', port: 80, targetPort: input.backendPort, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'backend', namespace: NAMESPACE },
      subsets: [input.backendPort, ...(input.extraPorts ?? [])].map((port) => ({
        addresses: [{ ip: '127.0.0.1' }],
        ports: [{ name: 'http', port, protocol: 'TCP' }],
      })),
    },
    ...(input.settings === undefined
      ? []
      : [{ apiVersion: 'edgeway.io/v1alpha1', kind: 'EdgewaySettings', metadata: { name: 'bench' }, spec: input.settings }]),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'edgeway', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'edgeway.io/ingress-controller' },
    },
  ];
  const tls = input.tls;
  if (tls !== undefined) {
    docs.push(
      {
        apiVersion: 'edgeway.io/v1alpha1',
        kind: 'EdgewaySettings',
        metadata: { name: 'bench' },
        spec: { tls: { defaultCertificate: { namespace: NAMESPACE, name: 'bench-tls' } } },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'bench-tls', namespace: NAMESPACE },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': tls.certPem, 'tls.key': tls.keyPem },
      },
    );
  }
  for (let start = 0; start < input.hosts.length; start += perIngress) {
    const hosts = input.hosts.slice(start, start + perIngress);
    docs.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: input.hosts.length <= perIngress ? 'bench' : `bench-${start / perIngress}`,
        namespace: NAMESPACE,
        ...(input.ingressAnnotations === undefined ? {} : { annotations: { ...input.ingressAnnotations } }),
      },
      spec: {
        ...(tls === undefined ? {} : { tls: [{ hosts, secretName: 'bench-tls' }] }),
        rules: hosts.map((host) => ({
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] },
        })),
      },
    });
  }
  docs.push(...(input.extraDocs ?? []));
  return docs.map((doc) => stringify(doc)).join('---\n');
}

/** `h0.bench.local` … `h<n-1>.bench.local`. */
export function routingHosts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `h${i}.bench.local`);
}

/** The host in the middle of the table: the one the routing-scale load targets. */
export function middleHost(count: number): string {
  return `h${Math.floor(count / 2)}.bench.local`;
}
