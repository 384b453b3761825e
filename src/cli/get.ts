/**
 * `edgeway get RESOURCE[,RESOURCE...] [NAME] [-n NS | -A] [-o wide|name|json|yaml] [--admin HOST:PORT]`: a thin client of the
 * running edgeway's Kubernetes-compatible API that prints what kubectl prints, for machines without kubectl. Tables
 * are the server's (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, the same columns kubectl shows) laid
 * out as kubectl lays them out; json and yaml are the objects as kubectl writes them (a list as a `List`, keys
 * sorted). Reads need no token, so plain HTTP to the admin port is enough.
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseHostPort } from '../config/settings-document.ts';
import type { KindEntry } from '../k8s/kind-entry.ts';
import { apiPath, resourceNamed } from './kubectl/resource-names.ts';
import { cellText, printTable, type Table } from './kubectl/print-table.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export async function runGet(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseGetArgs>;
  try {
    parsed = parseGetArgs(argv);
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [words, name] = positionals;
  if (words === undefined) return usage('name a resource: services, endpoints, pods, ingresses, endpointslices, nodes, ...');
  // `svc,ep`: several types, each printed as its own table, as kubectl does.
  const resources: KindEntry[] = [];
  for (const word of words.split(',')) {
    const resource = resourceNamed(word);
    if (resource === undefined) {
      process.stderr.write(`error: the server doesn't have a resource type "${word}"\n`);
      return 1;
    }
    resources.push(resource);
  }
  const admin = parseHostPort(values.admin);
  if (admin === undefined) return usage(`--admin must be HOST:PORT, got ${JSON.stringify(values.admin)}`);
  const output = values.output ?? '';
  if (!['', 'wide', 'name', 'json', 'yaml'].includes(output)) return usage('-o takes wide, name, json or yaml');
  const all = values['all-namespaces'] === true && name === undefined;
  const namespace = values.namespace ?? 'default';
  const table = output === '' || output === 'wide';
  const several = resources.length > 1;
  // kubectl decides on the NAMESPACE column with the first type it prints and keeps it for the others.
  let withNamespace: boolean | undefined;
  const printed: string[] = [];
  const items: Record<string, unknown>[] = [];
  let single: unknown;

  for (const resource of resources) {
    let answer: { status: number; body: unknown };
    try {
      const path = apiPath(resource, resource.namespaced && !all ? namespace : undefined, name);
      answer = await getJson(admin.host, admin.port, path, table ? `${TABLE},application/json` : 'application/json');
    } catch (err) {
      process.stderr.write(`edgeway get: cannot reach the admin API at ${values.admin}: ${(err as Error).message}\n`);
      return 1;
    }
    if (answer.status !== 200) {
      const status = answer.body as { message?: string; reason?: string } | null;
      process.stderr.write(`Error from server${status?.reason === undefined ? '' : ` (${status.reason})`}: ${status?.message ?? `HTTP ${answer.status}`}\n`);
      return 1;
    }
    if (table) {
      const t = answer.body as Table;
      if (t.rows.length === 0) continue;
      withNamespace ??= all && resource.namespaced;
      const rows = several ? t.rows.map((r) => ({ ...r, cells: [`${qualifiedName(resource)}/${cellText(r.cells[0])}`, ...r.cells.slice(1)] })) : t.rows;
      printed.push(printTable({ ...t, rows }, { wide: output === 'wide', withNamespace }));
      continue;
    }
    const got = name === undefined ? ((answer.body as { items?: Record<string, unknown>[] }).items ?? []) : [answer.body as Record<string, unknown>];
    for (const o of got) items.push({ apiVersion: resource.apiVersion, kind: resource.kind, ...o });
    if (output === 'name')
      for (const o of got) process.stdout.write(`${qualifiedName(resource)}/${String((o['metadata'] as { name?: string } | undefined)?.name)}\n`);
    single = answer.body;
  }
  if (table) {
    if (printed.length === 0)
      process.stderr.write(all || resources.some((r) => !r.namespaced) ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    else process.stdout.write(printed.join('\n'));
    return 0;
  }
  if (output === 'name') return 0;
  // kubectl writes one object as it is and several as a v1 List, keys sorted (Go marshals maps that way).
  const document = sortKeys(name !== undefined && !several ? single : { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } });
  process.stdout.write(
    output === 'json' ? JSON.stringify(document, null, 4) + '\n' : stringify(document, { lineWidth: 0, indentSeq: false, schema: 'yaml-1.1' }),
  );
  return 0;
}

/** `service`, `ingress.networking.k8s.io`: how kubectl names a kind in `-o name`. */
function qualifiedName(resource: KindEntry): string {
  const kind = resource.kind.toLowerCase();
  return resource.group === '' ? kind : `${kind}.${resource.group}`;
}

/** Keys sorted at every level, and without metadata.managedFields, which kubectl hides unless asked. */
function sortKeys(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    if (key === 'metadata' && k === 'managedFields') continue;
    out[k] = sortKeys((value as Record<string, unknown>)[k], k);
  }
  return out;
}

function getJson(host: string, port: number, path: string, accept: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { accept } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { message: text.trim() } });
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end();
  });
}

function usage(message: string): number {
  process.stderr.write(`edgeway get: ${message}\n`);
  return 2;
}

function parseGetArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      output: { type: 'string', short: 'o' },
      admin: { type: 'string', default: '127.0.0.1:9901' },
    },
  });
}
