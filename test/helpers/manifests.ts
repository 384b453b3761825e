/** Small builders for the YAML manifests tests feed to edgeway. */

export const INGRESS_CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: edgeway
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: edgeway.io/ingress-controller
`;

/** A selectorless Service with an Endpoints object listing loopback addresses. */
export function serviceWithEndpoints(name: string, addresses: readonly { ip: string; port: number }[], namespace = 'default'): string {
  const ports = [...new Set(addresses.map((a) => a.port))];
  const subsets = ports
    .map(
      (port) => `  - addresses:
${addresses
  .filter((a) => a.port === port)
  .map((a) => `      - ip: ${a.ip}`)
  .join('\n')}
    ports:
      - name: http
        port: ${port}`,
    )
    .join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  ports:
    - name: http
      port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
  namespace: ${namespace}
subsets:
${subsets}
`;
}

export function ingress(name: string, rules: readonly { host?: string; path: string; pathType?: string; service: string }[], namespace = 'default'): string {
  const byHost = new Map<string | undefined, (typeof rules)[number][]>();
  for (const r of rules) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  const ruleText = [...byHost]
    .map(
      ([host, paths]) => `    - ${host === undefined ? '' : `host: "${host}"\n      `}http:
        paths:
${paths
  .map(
    (p) => `          - path: ${p.path}
            pathType: ${p.pathType ?? 'Prefix'}
            backend:
              service:
                name: ${p.service}
                port:
                  number: 80`,
  )
  .join('\n')}`,
    )
    .join('\n');
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  rules:
${ruleText}
`;
}

export function settings(spec: string): string {
  return `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata:
  name: edgeway
spec:
${spec.replace(/^/gm, '  ')}
`;
}

export const docs = (...parts: string[]): string => parts.join('---\n');
