/**
 * The API server's defaults for a pod spec (a Pod's spec, a Deployment's template): restart and DNS policies,
 * scheduler, grace period, and per container the termination message settings, the image pull policy (Always for
 * an untagged or `:latest` image, IfNotPresent otherwise) and port protocols. Works on a private copy.
 */
import { ensureRecord, isRecord, type MutableRecord } from './records.ts';

export function defaultPodSpec(spec: MutableRecord): void {
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['enableServiceLinks'] ??= true;
  ensureRecord(spec, 'securityContext');
  for (const list of ['initContainers', 'containers']) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) if (isRecord(container)) defaultContainer(container);
  }
}

function defaultContainer(container: MutableRecord): void {
  container['terminationMessagePath'] ??= '/dev/termination-log';
  container['terminationMessagePolicy'] ??= 'File';
  if (container['imagePullPolicy'] === undefined && typeof container['image'] === 'string') {
    container['imagePullPolicy'] = pullPolicy(container['image']);
  }
  const ports = container['ports'];
  if (Array.isArray(ports)) for (const port of ports) if (isRecord(port)) port['protocol'] ??= 'TCP';
}

/** Always for `:latest` or no tag (a digest counts as pinned), IfNotPresent otherwise. */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon === -1) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Deployment: one replica, a 25%/25% rolling update, ten old ReplicaSets kept, a 600 s progress deadline. */
export function defaultDeployment(object: MutableRecord): void {
  const spec = ensureRecord(object, 'spec');
  spec['replicas'] ??= 1;
  spec['revisionHistoryLimit'] ??= 10;
  spec['progressDeadlineSeconds'] ??= 600;
  const strategy = ensureRecord(spec, 'strategy');
  strategy['type'] ??= 'RollingUpdate';
  if (strategy['type'] === 'RollingUpdate') {
    const rolling = ensureRecord(strategy, 'rollingUpdate');
    rolling['maxUnavailable'] ??= '25%';
    rolling['maxSurge'] ??= '25%';
  }
  const template = ensureRecord(spec, 'template');
  defaultPodSpec(ensureRecord(template, 'spec'));
}
