/**
 * `edgeway env --config FILE [--config FILE2 ...] [--state-dir DIR] [--namespace NS]`: prints, one `NAME=value` a
 * line, the Service environment variables a pod created now in NS (default `default`) would get. It needs no running
 * edgeway, yet prints what `edgeway serve` serves: it reads the same files and the same state directory (the objects
 * created through the API, and the recorded allocations), and compiles with them, so every ClusterIP is the one the
 * gateway holds. It only reads: nothing is allocated for good or written.
 */
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../config/diagnostic.ts';
import { ParseCache } from '../config/parse-cache.ts';
import { FileAllocationStore } from '../allocation/file-allocation-store.ts';
import { serviceEnv } from '../discovery/service-env.ts';
import { applyOverrides } from '../generation/overrides.ts';
import type { Service } from '../k8s/types.ts';
import { compileSnapshot } from '../snapshot/compile-snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import { AppliedLayer } from '../store/applied-layer.ts';
import { FileObjectSource } from '../store/file-object-source.ts';
import { withBuiltinObjects } from '../store/builtin-objects.ts';
import { ObjectStore } from '../store/object-store.ts';

export async function runEnv(argv: readonly string[]): Promise<number> {
  let values: { config?: string[]; namespace?: string; 'state-dir'?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', short: 'c', multiple: true }, namespace: { type: 'string', short: 'n' }, 'state-dir': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`edgeway env: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.config === undefined) {
    process.stderr.write('edgeway env: --config FILE is required (a file or a directory of *.yaml files)\n');
    return 2;
  }
  // The same reading as `edgeway serve`: the files first (they name the state directory), then with the layer of
  // objects written through the API.
  let layer: AppliedLayer | undefined;
  const source = new FileObjectSource(values.config, { cache: new ParseCache(), applied: () => layer });
  let load = await source.list();
  const stateDir = values['state-dir'];
  const settings = applyOverrides(load.settings, stateDir === undefined ? {} : { stateDir });
  if (!load.fatal) {
    layer = new AppliedLayer(settings.stateDir, { readOnly: true });
    await layer.load();
    for (const d of layer.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    if (layer.inUse) load = await source.list();
  }
  for (const d of load.diagnostics) if (d.severity === 'error') process.stderr.write(formatDiagnostic(d) + '\n');
  if (load.fatal) return 1;
  let recorded: Awaited<ReturnType<FileAllocationStore['load']>>;
  try {
    recorded = await new FileAllocationStore(settings.stateDir).load();
  } catch (err) {
    process.stderr.write(`edgeway env: ${(err as Error).message}\n`);
    return 1;
  }
  const store = new ObjectStore(withBuiltinObjects(load.objects, settings, recorded.state));
  const snapshot = compileSnapshot(store, settings, 1, recorded.state);
  const namespace = values.namespace ?? 'default';
  const own = store.list<Service>('Service', namespace);
  // As the kubelet does, every pod also gets the variables of default/kubernetes unless its namespace has its own.
  const api =
    namespace === 'default' || own.some((l) => l.object.metadata.name === 'kubernetes') ? undefined : store.get<Service>('Service', 'default', 'kubernetes');
  const services = [...own, ...(api === undefined ? [] : [api])].map((l) => withStatus(l.object, snapshot) as Service);
  process.stdout.write(
    serviceEnv(services)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
  return 0;
}
