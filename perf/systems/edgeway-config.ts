/**
 * The YAML edgeway is started with in the bench: a selector-less Service `bench/backend` with hand-written Endpoints
 * pointing at the bench backend, the default IngressClass for edgeway, and Ingress host rules (one for the proxy
 * comparison, 10 or 10,000 for routing scale). No EdgewaySettings document: the CLI flags carry the addresses, and
 * everything else stays at its defaults (access logging included) so the measurement is of edgeway as shipped.
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
}

const NAMESPACE = 'bench';

export function edgewayConfig(input: EdgewayConfigInput): string {
  const perIngress = input.rulesPerIngress ?? 100;
  const docs: object[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'backend', namespace: NAMESPACE },
      spec: { ports: [{ name: 'http', port: 80, targetPort: input.backendPort, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'backend', namespace: NAMESPACE },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: input.backendPort, protocol: 'TCP' }] }],
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'edgeway', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'edgeway.io/ingress-controller' },
    },
  ];
  for (let start = 0; start < input.hosts.length; start += perIngress) {
    const hosts = input.hosts.slice(start, start + perIngress);
    docs.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: input.hosts.length <= perIngress ? 'bench' : `bench-${start / perIngress}`, namespace: NAMESPACE },
      spec: {
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
