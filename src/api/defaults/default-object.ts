/**
 * Defaulting on create, as the API server does it before validation, so objects written through the API read back
 * complete (`kubectl get -o yaml`). One defaulter per kind in a table over the registry's kind names; kinds the API
 * server leaves alone have none. Pure: the object is copied, never changed.
 */
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KindName } from '../../k8s/kinds.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { defaultIngress } from './ingress-defaults.ts';
import { defaultDeployment, defaultPodSpec } from './pod-defaults.ts';
import { ensureRecord, isRecord, type MutableRecord } from './records.ts';
import { defaultService } from './service-defaults.ts';

type Defaulter = (object: MutableRecord & KubeObject, lookup: (kind: string) => readonly KubeObject[]) => void;

const DEFAULTERS: Readonly<Record<KindName, Defaulter | null>> = {
  Service: (o) => defaultService(o),
  Endpoints: (o) => {
    for (const subset of records(o['subsets'])) for (const port of records(subset['ports'])) port['protocol'] ??= 'TCP';
  },
  Pod: (o) => defaultPodSpec(ensureRecord(o, 'spec')),
  Secret: (o) => {
    o['type'] ??= 'Opaque';
  },
  ConfigMap: null,
  Node: null,
  Namespace: (o) => {
    const spec = ensureRecord(o, 'spec');
    spec['finalizers'] ??= ['kubernetes'];
  },
  Ingress: (o, lookup) => defaultIngress(o, lookup('IngressClass')),
  IngressClass: null,
  EndpointSlice: (o) => {
    for (const port of records(o['ports'])) port['protocol'] ??= 'TCP';
  },
  Deployment: (o) => defaultDeployment(o),
  IPAddressPool: (o) => {
    const spec = ensureRecord(o, 'spec');
    spec['autoAssign'] ??= true;
    spec['avoidBuggyIPs'] ??= false;
  },
  Event: null,
};

/** The object with the API server's defaults filled in; `lookup` lists other objects (e.g. IngressClasses). */
export function defaultObject(entry: KindEntry, object: KubeObject, lookup: (kind: string) => readonly KubeObject[]): KubeObject {
  const defaulter = (DEFAULTERS as Readonly<Record<string, Defaulter | null | undefined>>)[entry.kind];
  const copy = structuredClone(object) as MutableRecord & KubeObject;
  defaulter?.(copy, lookup);
  return entry.defaulter === undefined ? copy : entry.defaulter(copy);
}

function records(value: unknown): MutableRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
