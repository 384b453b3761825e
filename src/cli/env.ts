/**
 * `edgeway env --config FILE [--config FILE2 ...] [--namespace NS]`: prints, one `NAME=value` a line, the Service
 * environment variables a pod created now in NS (default `default`) would get. It reads the configuration files
 * directly (no running edgeway needed) and shows each Service as the admin API would, so allocated ClusterIPs
 * appear once allocation decorates Services.
 */
import { parseArgs } from 'node:util';
import { formatDiagnostic } from '../config/diagnostic.ts';
import { loadConfig } from '../config/load-config.ts';
import { serviceEnv } from '../discovery/service-env.ts';
import type { Service } from '../k8s/types.ts';
import { compileSnapshot } from '../snapshot/compile-snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import { ObjectStore } from '../store/object-store.ts';

export async function runEnv(argv: readonly string[]): Promise<number> {
  let values: { config?: string[]; namespace?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { config: { type: 'string', short: 'c', multiple: true }, namespace: { type: 'string', short: 'n' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`edgeway env: ${(err as Error).message}\n`);
    return 2;
  }
  if (values.config === undefined) {
    process.stderr.write('edgeway env: --config FILE is required (a file or a directory of *.yaml files)\n');
    return 2;
  }
  const load = await loadConfig(values.config);
  for (const d of load.diagnostics) if (d.severity === 'error') process.stderr.write(formatDiagnostic(d) + '\n');
  if (load.fatal) return 1;
  const store = new ObjectStore(load.objects);
  const snapshot = compileSnapshot(store, load.settings, 1);
  const services = store.list<Service>('Service', values.namespace ?? 'default').map((l) => withStatus(l.object, snapshot) as Service);
  process.stdout.write(serviceEnv(services).map(([name, value]) => `${name}=${value}\n`).join(''));
  return 0;
}
