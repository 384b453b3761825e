/**
 * Manifests for the federation tests: one Service, the same namespace/name and port in every cluster, with its
 * loopback backends as Endpoints, and optionally the LoadBalancer address the cluster publishes for it.
 */
import type { Backend } from './resilience-fixtures.ts';

export const HEALTH = { 'edgeway.io/health-check-path': '/healthz', 'edgeway.io/health-check-interval': '100ms' };

export function federatedService(
  name: string,
  port: number,
  backends: readonly Backend[],
  options: { readonly annotations?: Record<string, string>; readonly publishedIP?: string; readonly tcp?: boolean } = {},
): string {
  const ann = Object.entries(options.annotations ?? {});
  const subsets = backends.map((b) => `  - addresses:\n      - ip: ${b.host}\n    ports:\n      - name: http\n        port: ${b.port}`).join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
${ann.length === 0 ? '' : `  annotations:\n${ann.map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n`}spec:
  ports:
    - name: http
      port: ${port}
${options.tcp === true ? '' : '      appProtocol: http\n'}${options.publishedIP === undefined ? '' : `status:\n  loadBalancer:\n    ingress:\n      - ip: ${options.publishedIP}\n`}${backends.length === 0 ? '' : `---
apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
  namespace: default
subsets:
${subsets}
`}`;
}

/** Polls `check` until it returns true, or fails after the deadline with the last value seen. */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not reached within ${ms} ms`);
}
