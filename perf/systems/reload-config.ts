/**
 * The configuration of the reload scenarios: about 10,000 objects — for each of N Services a selector-less Service,
 * its Endpoints (the bench backend) and an Ingress with one host rule — plus the default IngressClass and a settings
 * document that turns the file watcher off (the loop reloads explicitly). `variant`
 * changes one rule's path so every reload is a real change that compiles a new snapshot. Pure.
 */

import { stringify } from 'yaml';

export const RELOAD_SERVICES = 3_333;
export const RELOAD_LOAD_HOST = 'r0.bench.local';

export function reloadConfig(backendPort: number, variant: number): string {
  const docs: object[] = [
    // The loop reloads through POST /reload; the file watcher would add a second reload per rewrite.
    { apiVersion: 'edgeway.io/v1alpha1', kind: 'EdgewaySettings', metadata: { name: 'bench' }, spec: { reload: { watch: false } } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'edgeway', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'edgeway.io/ingress-controller' },
    },
  ];
  for (let i = 0; i < RELOAD_SERVICES; i++) {
    const name = `svc-${i}`;
    const metadata = { name, namespace: 'bench' };
    docs.push(
      { apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata,
        subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }] }],
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata,
        spec: {
          rules: [
            {
              host: `r${i}.bench.local`,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } },
                  // The one line that changes between reloads, on a Service the load never touches.
                  ...(i === RELOAD_SERVICES - 1 ? [{ path: `/v${variant}`, pathType: 'Exact', backend: { service: { name, port: { number: 80 } } } }] : []),
                ],
              },
            },
          ],
        },
      },
    );
  }
  return docs.map((doc) => stringify(doc)).join('---\n');
}
