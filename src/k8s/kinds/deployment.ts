/** apps/v1 Deployment: READY as ready/desired replicas, and the wide CONTAINERS, IMAGES and SELECTOR. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { Deployment, KubeObject } from '../types.ts';

interface DeploymentStatus {
  readonly readyReplicas?: number;
  readonly updatedReplicas?: number;
  readonly availableReplicas?: number;
}

export const DEPLOYMENT = kindEntry({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    computed('Ready', (o) => `${status(o).readyReplicas ?? 0}/${(o as Deployment).spec.replicas ?? 1}`),
    computed('Up-to-date', (o) => String(status(o).updatedReplicas ?? 0), 0, 'integer'),
    computed('Available', (o) => String(status(o).availableReplicas ?? 0), 0, 'integer'),
    AGE_COLUMN,
    computed(
      'Containers',
      (o) =>
        containers(o)
          .map((c) => c.name)
          .join(','),
      1,
    ),
    computed(
      'Images',
      (o) =>
        containers(o)
          .map((c) => c.image ?? '')
          .join(','),
      1,
    ),
    computed('Selector', selector, 1),
  ],
});

function status(o: KubeObject): DeploymentStatus {
  return (o['status'] as DeploymentStatus | undefined) ?? {};
}

function containers(o: KubeObject): readonly { name: string; image?: string }[] {
  return (o as Deployment).spec.template.spec?.containers ?? [];
}

function selector(o: KubeObject): string {
  const { matchLabels = {}, matchExpressions = [] } = (o as Deployment).spec.selector;
  const parts = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of matchExpressions) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}
