/**
 * What one generation has to tell an operator as Events, read from what it already computed: the allocation of
 * each Service (MetalLB's `IPAllocated` and `AllocationFailed` with MetalLB's wording, or why its ClusterIPs or
 * NodePorts were refused) and the error diagnostics of loading and compiling (an object skipped as invalid, a
 * certificate that cannot be used), and a rejected reload (reloadFailedEvents). Warnings stay in the logs and conditions: Events are for what needs acting on.
 * Pure; the event log (event-log.ts) counts and deduplicates.
 */
import { formatDiagnostic, type Diagnostic } from '../../config/diagnostic.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { EventInput, InvolvedObject } from './event-input.ts';

/** Certificate diagnostics (EW_TLS_*) are Events at any severity: a certificate about to fail is worth acting on. */
const CERTIFICATE_CODE = /^EW_TLS_/;

export function generationEvents(snapshot: Snapshot, loadDiagnostics: readonly Diagnostic[]): EventInput[] {
  const out: EventInput[] = [];
  for (const [key, allocation] of snapshot.addresses.services) {
    const slash = key.indexOf('/');
    const involved = { kind: 'Service', namespace: key.slice(0, slash), name: key.slice(slash + 1) };
    if (allocation.rejected !== null) {
      out.push({ involved, type: 'Warning', reason: 'AllocationFailed', message: `${allocation.rejected.message} (${allocation.rejected.reason})` });
    }
    const lb = allocation.loadBalancer;
    if (lb.kind === 'assigned') {
      out.push({ involved, type: 'Normal', reason: 'IPAllocated', message: `Assigned IP ${JSON.stringify(lb.ips)}` });
    } else if (lb.kind === 'pending') {
      const message = lb.metallb === undefined ? lb.message : `Failed to allocate IP for "${key}": ${lb.metallb}; ${lb.message}`;
      out.push({ involved, type: 'Warning', reason: 'AllocationFailed', message });
    }
  }
  for (const d of [...loadDiagnostics, ...snapshot.diagnostics]) {
    const tls = CERTIFICATE_CODE.test(d.code);
    // Replicas serving one object differently is a warning worth acting on, as the object's Event says.
    const disagree = d.code === 'EW_REPLICA_FILES_DISAGREE';
    if (d.severity !== 'error' && !tls && !disagree) continue;
    const involved = d.object === undefined ? undefined : parseObjectRef(d.object);
    if (involved === undefined) continue;
    const where = d.position === undefined ? '' : ` (${d.position.file}:${d.position.line})`;
    const what = `${d.field === undefined || d.field === '' ? '' : `${d.field}: `}${d.message}${where} [${d.code}]`;
    const reason = tls ? 'CertificateInvalid' : disagree ? 'ReplicaFilesDisagree' : d.severity === 'error' ? 'Invalid' : 'Warning';
    out.push({ involved, type: 'Warning', reason, message: what });
  }
  return out;
}

/**
 * A reload that was rejected (the previous generation keeps serving): one `ReloadFailed` Warning per error, on the
 * object it names, else on the `default` Namespace, where `kubectl get events` shows it.
 */
export function reloadFailedEvents(diagnostics: readonly Diagnostic[], reason: string | undefined): EventInput[] {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const fallback: InvolvedObject = { kind: 'Namespace', name: 'default' };
  if (errors.length === 0)
    return [
      {
        involved: fallback,
        type: 'Warning',
        reason: 'ReloadFailed',
        message: `the configuration was not reloaded: ${reason ?? 'unknown reason'}; the previous one keeps serving`,
      },
    ];
  return errors.map((d) => ({
    involved: (d.object === undefined ? undefined : parseObjectRef(d.object)) ?? fallback,
    type: 'Warning',
    reason: 'ReloadFailed',
    message: `the configuration was not reloaded, the previous one keeps serving: ${formatDiagnostic(d)}`,
  }));
}

/** `Kind namespace/name` or `Kind name` (objectRef's form) back to its parts. */
function parseObjectRef(ref: string): InvolvedObject | undefined {
  const space = ref.indexOf(' ');
  if (space <= 0) return undefined;
  const kind = ref.slice(0, space);
  const rest = ref.slice(space + 1);
  const slash = rest.indexOf('/');
  return slash < 0 ? { kind, name: rest } : { kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
