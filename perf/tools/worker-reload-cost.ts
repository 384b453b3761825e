/**
 * What a data-plane worker pays per generation (docs/workers.md): the primary sends compile inputs over IPC with
 * `serialization: 'advanced'` (v8.serialize), and the worker deserializes and compiles them with the primary's
 * allocation state. Measures, for N Services (each with Endpoints and an Ingress; default 1000): the message's size,
 * serialize and deserialize time, and the worker's compile, for a worker's first generation (everything in full) and
 * for a reload that changes one path (only the changed objects cross; generation-wire.ts). The primary's side reuses
 * unchanged objects as its parse cache does. In-process, bounded, no sockets.
 *
 * Usage: node perf/tools/worker-reload-cost.ts [--services N] [--reps N]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { loadConfigText } from '../../src/config/load-config.ts';
import { CompileMemo } from '../../src/snapshot/compile-memo.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { WireDecoder, WireEncoder, type WireInputs } from '../../src/workers/generation-wire.ts';
import { generationInputs, type GenerationInputs } from '../../src/workers/generation-inputs.ts';
import { stringify } from 'yaml';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, reps: { type: 'string', default: '5' } } });
const services = Number(values.services);
const reps = Number(values.reps);

/** N Services, each with Endpoints and an Ingress of one host; `variant` changes one path of the last one. */
function reloadConfigFor(count: number, variant: number): string {
  const docs: object[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'edgeway', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'edgeway.io/ingress-controller' },
    },
  ];
  for (let i = 0; i < count; i++) {
    const metadata = { name: `svc-${i}`, namespace: 'bench' };
    const backend = { service: { name: metadata.name, port: { number: 80 } } };
    const paths = [{ path: '/', pathType: 'Prefix', backend }, ...(i === count - 1 ? [{ path: `/v${variant}`, pathType: 'Exact', backend }] : [])];
    docs.push(
      { apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
      { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: 9, protocol: 'TCP' }] }] },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec: { rules: [{ host: `r${i}.bench.local`, http: { paths } }] } },
    );
  }
  return docs.map((doc) => stringify(doc)).join('---\n');
}

/** The primary's objects for each variant: unchanged documents are the same objects, as the parse cache gives them. */
const base = loadConfigText([{ path: 'c.yaml', text: reloadConfigFor(services, 0) }]);
function variantObjects(variant: number): GenerationInputs['objects'] {
  if (variant === 0) return base.objects;
  const changed = loadConfigText([{ path: 'c.yaml', text: reloadConfigFor(services, variant) }]).objects;
  const last = changed.length - 1; // the last Ingress carries the changed path
  return base.objects.map((o, i) => (i === last ? changed[i]! : o));
}

const variants = new Map<number, GenerationInputs['objects']>();
/** Loaded once per variant, outside the timings. */
function objectsOf(variant: number): GenerationInputs['objects'] {
  let objects = variants.get(variant);
  if (objects === undefined) variants.set(variant, (objects = variantObjects(variant)));
  return objects;
}

const primaryMemo = new CompileMemo();
function primary(variant: number, generation: number, state?: GenerationInputs['state']): GenerationInputs {
  const store = new ObjectStore(objectsOf(variant));
  const snapshot = compileSnapshot(store, base.settings, generation, state, new Date(), [], primaryMemo);
  return generationInputs(snapshot, store, []);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const rows = new Map<string, number[]>();
const add = (name: string, value: number): void => void rows.set(name, [...(rows.get(name) ?? []), value]);
let inputs = primary(0, 1);
for (let i = 0; i < reps; i++) {
  const encoder = new WireEncoder();
  const decoder = new WireDecoder();
  const workerMemo = new CompileMemo();
  // The second reload is the steady state: the first one still compiles the addresses again (its allocation state
  // is the first generation's result, not the empty state the first compile started from).
  for (const [phase, variant] of [
    ['first', 0],
    ['reload', 1],
    ['next reload', 2],
  ] as const) {
    if (phase !== 'first') {
      const t = performance.now();
      objectsOf(variant);
      const loaded = performance.now();
      inputs = primary(variant, inputs.generation + 1, inputs.state);
      add(`${phase}: primary compile ms`, performance.now() - loaded);
      void t;
    }
    let t = performance.now();
    const { wire, base: sent } = encoder.encode(inputs);
    const bytes = serialize(wire);
    add(`${phase}: encode+serialize ms`, performance.now() - t);
    add(`${phase}: bytes`, bytes.length);
    t = performance.now();
    const received = deserialize(bytes) as WireInputs;
    add(`${phase}: deserialize ms`, performance.now() - t);
    t = performance.now();
    const { store, settings, state, clusters } = decoder.decode(received);
    compileSnapshot(store, settings, received.generation, state, received.now, clusters, workerMemo);
    add(`${phase}: compile ms`, performance.now() - t);
    encoder.commit(sent);
    decoder.commit();
  }
}
console.log(`${services} Services (${inputs.objects.length} objects), ${reps} reps, medians:`);
for (const [name, xs] of rows) console.log(`  ${name.padEnd(28)} ${median(xs).toFixed(name.endsWith('bytes') ? 0 : 1)}`);
