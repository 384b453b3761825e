/**
 * core/v1 Event: what edgeway records for an operator (an address not allocated, an object skipped, a certificate
 * problem), listed by `kubectl get events` and shown by `kubectl describe`. The columns are the API server's: LAST
 * SEEN, TYPE, REASON, OBJECT (`kind/name`, the kind lower-cased) and MESSAGE, the rest with `-o wide`. Events have no
 * NAME column by default; it is the last wide one.
 */
import { kindEntry } from '../kind-entry.ts';
import { computed, path } from '../printer-column.ts';
import type { KubeObject } from '../types.ts';

/** An Event as edgeway records it: always about one object, counted and deduplicated (api/events/event-log.ts). */
export interface KubeEvent extends KubeObject {
  kind: 'Event';
  involvedObject: { apiVersion?: string; kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
}

export const EVENT = kindEntry({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  printerColumns: [
    path('Last Seen', '.lastTimestamp', 'date'),
    path('Type', '.type'),
    path('Reason', '.reason'),
    computed('Object', objectCell),
    computed('Subobject', () => '', 1),
    computed('Source', (o) => sourceCell(o as Partial<KubeEvent>), 1),
    path('Message', '.message'),
    path('First Seen', '.firstTimestamp', 'date', 1),
    path('Count', '.count', 'integer', 1),
    path('Name', '.metadata.name', 'string', 1),
  ],
});

function objectCell(o: KubeObject): string {
  const involved = (o as Partial<KubeEvent>).involvedObject;
  return involved === undefined ? '' : `${involved.kind.toLowerCase()}/${involved.name}`;
}

function sourceCell(e: Partial<KubeEvent>): string {
  if (e.source === undefined) return '';
  return e.source.host === undefined ? e.source.component : `${e.source.component}, ${e.source.host}`;
}
