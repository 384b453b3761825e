/**
 * One change as a watch reports it: the object as served after the change (before it, for DELETED, with the
 * deletion's resourceVersion), and for MODIFIED the object before, so a watcher with a selector can tell an object
 * that left its selection (sent as DELETED) from one that entered it (sent as ADDED).
 */
import type { KubeObject } from '../../k8s/types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
  readonly previous: KubeObject | null;
  readonly resourceVersion: number;
}
