/**
 * ExternalName targets that name the cluster itself. A pod resolving such a target gets the cluster DNS's own answer
 * (a Service name inside the cluster domain, or a single label that its search path turns into a Service of its
 * namespace), so edgeway answers them from its own objects, for DNS and for proxying alike, and never asks the
 * machine's resolver. A single label that names no Service of the namespace (`localhost`) is left to resolution as
 * before, as a pod's resolver would fall through its search path to it. Pure.
 */

/**
 * The in-cluster DNS name an ExternalName target stands for, or null when it names something outside the cluster.
 * @param serviceExists whether the namespace has a Service of a name, for single-label targets
 */
export function inClusterTarget(
  externalName: string,
  namespace: string,
  domain: string,
  serviceExists: (namespace: string, name: string) => boolean,
): string | null {
  const target = externalName.toLowerCase().replace(/\.$/, '');
  if (target === domain || target.endsWith(`.${domain}`)) return target;
  if (target !== '' && !target.includes('.') && serviceExists(namespace, target)) return `${target}.${namespace}.svc.${domain}`;
  return null;
}

/**
 * The Service an in-cluster target names (`<svc>.<ns>.svc.<domain>`), `'other'` for any other name inside the
 * cluster domain (a pod or endpoint name, which has no Service port to proxy to), null outside it.
 */
export function inClusterService(
  externalName: string,
  namespace: string,
  domain: string,
  serviceExists: (namespace: string, name: string) => boolean,
): { readonly namespace: string; readonly name: string } | 'other' | null {
  const target = inClusterTarget(externalName, namespace, domain, serviceExists);
  if (target === null) return null;
  const labels = target === domain ? [] : target.slice(0, -(domain.length + 1)).split('.');
  if (labels.length === 3 && labels[2] === 'svc') return { namespace: labels[1]!, name: labels[0]! };
  return 'other';
}
