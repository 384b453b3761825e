/**
 * A `kind: List` of Services in the shape `kubectl get services -o yaml` writes (items at column 0, each with
 * its own apiVersion and kind, metadata with resourceVersion), for the large-List reload tool and tests. Deterministic.
 */

/**
 * `count` Services named `list-<i>` in namespace `bulk`, with `variant` in a label so two variants differ.
 * `headless`: `clusterIP: None`, so edgeway binds no listener per Service (20,000 listeners exceed a common file limit).
 */
export function serviceList(count: number, variant = 0, headless = false): string {
  const out: string[] = ['apiVersion: v1', 'items:'];
  for (let i = 0; i < count; i++) {
    out.push(
      '- apiVersion: v1',
      '  kind: Service',
      '  metadata:',
      '    labels:',
      `      app: list-${i}`,
      `      variant: v${variant}`,
      `    name: list-${i}`,
      '    namespace: bulk',
      `    resourceVersion: "${1000 + i}"`,
      '  spec:',
      ...(headless ? ['    clusterIP: None'] : []),
      '    ports:',
      '    - port: 80',
      '      targetPort: 8080',
      '    selector:',
      `      app: list-${i}`,
      '    type: ClusterIP',
    );
  }
  out.push('kind: List', 'metadata:', '  resourceVersion: ""', '');
  return out.join('\n');
}
