/**
 * Pod: its containers (via pod-spec.ts) and the status fields endpoint resolution reads: the pod IPs and phase.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { ipAddress } from './names.ts';
import { POD_SPEC_SHAPE, validatePodSpec } from './pod-spec.ts';
import { Report } from './report.ts';
import { check, child, list, mapping, string } from './values.ts';

export const POD_SHAPE: Shape = {
  spec: POD_SPEC_SHAPE,
  status: {
    podIP: null,
    podIPs: { ip: null },
    phase: null,
    conditions: null,
    hostIP: null,
    hostIPs: null,
    startTime: null,
    containerStatuses: null,
    initContainerStatuses: null,
    ephemeralContainerStatuses: null,
    qosClass: null,
    message: null,
    reason: null,
    nominatedNodeName: null,
    observedGeneration: null,
    resize: null,
    resourceClaimStatuses: null,
  },
};

export function validatePod(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  validatePodSpec(r, source.object['spec'], ['spec']);
  const status = mapping(r, source.object['status'], ['status']);
  check(r, string(r, child(status, 'podIP'), ['status', 'podIP']) || undefined, ['status', 'podIP'], ipAddress);
  list(r, child(status, 'podIPs'), ['status', 'podIPs']).forEach((entry, i) => {
    const at = ['status', 'podIPs', i, 'ip'];
    check(r, string(r, child(entry, 'ip'), at), at, ipAddress);
  });
  string(r, child(status, 'phase'), ['status', 'phase']);
  return r.diagnostics;
}
