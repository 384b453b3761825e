/**
 * Compiles a store of objects into a Snapshot: routes from the Ingresses, then one Backend per Service port those
 * routes (and the default backend) can reach. Pure: no I/O, no clocks beyond measuring itself.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { Settings } from '../config/settings.ts';
import { resolveBackend } from '../controllers/resolve-backend.ts';
import { compileRoutes } from '../routing/compile-routes.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { Backend, Snapshot } from './snapshot.ts';

export function compileSnapshot(store: ObjectStore, settings: Settings, generation: number): Snapshot {
  const started = performance.now();
  const compiled = compileRoutes(store, settings);
  const diagnostics: Diagnostic[] = [...compiled.diagnostics];
  const backends = new Map<string, Backend>();
  for (const [key, ref] of compiled.backends) {
    const { resolution, diagnostics: found } = resolveBackend(store, ref, settings);
    diagnostics.push(...found);
    backends.set(key, {
      key,
      service: `${ref.namespace}/${ref.name}`,
      resolution,
      ready: resolution.kind === 'endpoints' ? resolution.endpoints.filter((e) => e.ready) : [],
      policy: 'round-robin',
    });
  }
  return {
    generation,
    settings,
    routes: compiled.table,
    backends,
    ingresses: compiled.ingresses,
    objectCount: store.size,
    diagnostics: dedupe(diagnostics),
    compiledAt: new Date(),
    compileMs: performance.now() - started,
  };
}

/** A backend reached from several routes reports the same problem once. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.code}\0${d.object ?? ''}\0${d.field ?? ''}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
