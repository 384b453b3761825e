/**
 * The objects a cluster has before anyone writes one: the Namespaces `default`, `kube-system` and `kube-public`
 * (and the `kubernetes` and `kube-dns` Services: builtin-services.ts).
 * They are added after the loaded objects when nothing defines them, so a Namespace lookup (namespace selectors,
 * the Kubernetes API's namespace list) finds them as in a cluster. Their origin is `builtin`: the API shows them
 * and refuses to change them. They are frozen module constants, so a reload's store sees the very same objects and
 * its patching (object-store.ts) finds nothing changed.
 */
import type { KubeObject } from '../k8s/types.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { BUILTIN_ORIGIN } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import { EMPTY_ALLOCATION_STATE, type AllocationState } from '../allocation/allocation-state.ts';
import { builtinServices } from './builtin-services.ts';

const POSITION = Object.freeze({ file: '(built-in)', line: 1, column: 1 });

function builtin(object: KubeObject): LoadedObject {
  return Object.freeze({ object: Object.freeze(object), position: POSITION, origin: BUILTIN_ORIGIN, locate: () => POSITION });
}

const NAMESPACES: readonly LoadedObject[] = ['default', 'kube-system', 'kube-public'].map((name) =>
  builtin({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }),
);

/**
 * The loaded objects followed by the built-in ones nothing among them defines: the Namespaces, and with the
 * settings, the `kubernetes` and `kube-dns` Services (builtin-services.ts).
 */
export function withBuiltinObjects(
  objects: readonly LoadedObject[],
  settings?: Settings,
  previous: AllocationState = EMPTY_ALLOCATION_STATE,
): readonly LoadedObject[] {
  const defined = new Set<string>();
  for (const { object } of objects) if (object.kind === 'Namespace') defined.add(object.metadata.name);
  const missing = NAMESPACES.filter((n) => !defined.has(n.object.metadata.name));
  const services = settings === undefined ? [] : builtinServices(settings, previous, objects);
  return missing.length === 0 && services.length === 0 ? objects : [...objects, ...missing, ...services];
}
