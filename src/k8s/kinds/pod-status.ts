/**
 * The STATUS cell of a Pod as the API server prints it: more telling than the phase. An init container that has not
 * finished shows `Init:N/M` (or its waiting reason, `Init:CrashLoopBackOff`, or how it ended, `Init:ExitCode:1`); then
 * the last container with something to say wins (`CrashLoopBackOff`, `Completed`, `ExitCode:137`, `Signal:9`); a
 * pod being deleted is `Terminating`. Pure.
 */
import type { KubeObject } from '../types.ts';

interface ContainerState {
  readonly waiting?: { readonly reason?: string };
  readonly running?: object;
  readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly signal?: number };
}

interface ContainerStatus {
  readonly ready?: boolean;
  readonly state?: ContainerState;
}

interface PodStatusFields {
  readonly phase?: string;
  readonly reason?: string;
  readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  readonly initContainerStatuses?: readonly ContainerStatus[];
  readonly containerStatuses?: readonly ContainerStatus[];
}

export function podStatus(o: KubeObject): string {
  const status = (o['status'] as PodStatusFields | undefined) ?? {};
  const initCount = ((o['spec'] as { initContainers?: readonly unknown[] } | undefined)?.initContainers ?? []).length;
  let reason = status.reason !== undefined && status.reason !== '' ? status.reason : (status.phase ?? '');
  const init = initReason(status.initContainerStatuses ?? [], initCount);
  if (init !== null) reason = init;
  else {
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const state = containers[i]!.state ?? {};
      if (state.waiting?.reason !== undefined && state.waiting.reason !== '') reason = state.waiting.reason;
      else if (state.terminated !== undefined) reason = ended(state.terminated, '');
      else if (containers[i]!.ready === true && state.running !== undefined) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? 'Running' : 'NotReady';
    }
  }
  if (o.metadata.deletionTimestamp !== undefined) return status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

/** The cell while an init container has not finished successfully; null once all have. */
function initReason(statuses: readonly ContainerStatus[], count: number): string | null {
  for (let i = 0; i < statuses.length; i++) {
    const state = statuses[i]!.state ?? {};
    if (state.terminated !== undefined && (state.terminated.exitCode ?? 0) === 0) continue;
    if (state.terminated !== undefined) return ended(state.terminated, 'Init:');
    if (state.waiting?.reason !== undefined && state.waiting.reason !== '' && state.waiting.reason !== 'PodInitializing') return `Init:${state.waiting.reason}`;
    return `Init:${i}/${count}`;
  }
  return null;
}

function ended(terminated: NonNullable<ContainerState['terminated']>, prefix: string): string {
  if (terminated.reason !== undefined && terminated.reason !== '') return prefix + terminated.reason;
  if (terminated.signal !== undefined && terminated.signal !== 0) return `${prefix}Signal:${terminated.signal}`;
  return `${prefix}ExitCode:${terminated.exitCode ?? 0}`;
}
