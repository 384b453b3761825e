/** v1 Node: cluster-scoped; STATUS from the Ready condition, ROLES from `node-role.kubernetes.io/*` labels. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN, path } from '../printer-column.ts';
import type { KubeObject, Node } from '../types.ts';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export const NODE = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  printerColumns: [
    NAME_COLUMN,
    computed('Status', status),
    computed('Roles', roles),
    AGE_COLUMN,
    path('Version', '.status.nodeInfo.kubeletVersion'),
    computed('Internal-IP', (o) => address(o as Node, 'InternalIP'), 1),
    computed('External-IP', (o) => address(o as Node, 'ExternalIP'), 1),
    path('OS-Image', '.status.nodeInfo.osImage', 'string', 1),
    path('Kernel-Version', '.status.nodeInfo.kernelVersion', 'string', 1),
    path('Container-Runtime', '.status.nodeInfo.containerRuntimeVersion', 'string', 1),
  ],
});

function status(o: KubeObject): string {
  const conditions = (o['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const state = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  const unschedulable = (o['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  return unschedulable ? `${state},SchedulingDisabled` : state;
}

function roles(o: KubeObject): string {
  const names = Object.keys(o.metadata.labels ?? {})
    .filter((l) => l.startsWith(ROLE_PREFIX) && l.length > ROLE_PREFIX.length)
    .map((l) => l.slice(ROLE_PREFIX.length));
  return names.length === 0 ? '<none>' : names.sort().join(',');
}

function address(n: Node, type: string): string {
  return n.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}
