/** v1 Pod: READY containers, STATUS (pod-status.ts), RESTARTS, and the wide columns kubectl prints. */
import { kindEntry } from '../kind-entry.ts';
import { AGE_COLUMN, computed, NAME_COLUMN } from '../printer-column.ts';
import type { KubeObject, Pod } from '../types.ts';
import { podStatus } from './pod-status.ts';

interface ContainerStatus {
  readonly ready?: boolean;
  readonly restartCount?: number;
}

export const POD = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    computed('Ready', ready),
    computed('Status', podStatus),
    computed('Restarts', (o) => String(statuses(o).reduce((sum, s) => sum + (s.restartCount ?? 0), 0))),
    AGE_COLUMN,
    computed('IP', (o) => (o as Pod).status?.podIP ?? '<none>', 1),
    computed('Node', (o) => (o as Pod).spec?.nodeName ?? '<none>', 1),
    computed('Nominated Node', (o) => ((o as Pod).status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName || '<none>', 1),
    computed('Readiness Gates', readinessGates, 1),
  ],
});

function statuses(o: KubeObject): readonly ContainerStatus[] {
  const status = o['status'] as { containerStatuses?: ContainerStatus[] } | undefined;
  return status?.containerStatuses ?? [];
}

function ready(o: KubeObject): string {
  const containers = (o as Pod).spec?.containers?.length ?? 0;
  return `${statuses(o).filter((s) => s.ready === true).length}/${containers}`;
}

function readinessGates(o: KubeObject): string {
  const gates = ((o as Pod).spec as { readinessGates?: { conditionType: string }[] } | undefined)?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = (o as Pod).status?.conditions ?? [];
  const met = gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length;
  return `${met}/${gates.length}`;
}
