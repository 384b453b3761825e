/**
 * `edgeway get RESOURCE [NAME] [-n NS | -A] [-o wide|json|yaml] [--admin HOST:PORT]`: what a running edgeway
 * serves, with status filled in, read from its admin API and printed as kubectl does (a LoadBalancer Service still
 * waiting for an address shows `<pending>`).
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseHostPort } from '../config/settings-document.ts';
import type { KubeObject } from '../k8s/types.ts';
import { apiPath, resourceNamed } from './kubectl/resource-names.ts';
import { formatTable } from './kubectl/table.ts';

export async function runGet(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        output: { type: 'string', short: 'o' },
        admin: { type: 'string', default: '127.0.0.1:9901' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [word, name] = positionals;
  if (word === undefined) return usage('name a resource: services, endpoints, pods, ingresses, endpointslices, nodes, ...');
  const resource = resourceNamed(word);
  if (resource === undefined) return usage(`the server doesn't have a resource type "${word}"`);
  const admin = parseHostPort(values.admin);
  if (admin === undefined) return usage(`--admin must be HOST:PORT, got ${JSON.stringify(values.admin)}`);
  const output = values.output ?? '';
  if (!['', 'wide', 'json', 'yaml'].includes(output)) return usage('-o takes wide, json or yaml');
  const all = values['all-namespaces'] === true && name === undefined;
  const namespace = resource.namespaced && !all ? (values.namespace ?? 'default') : undefined;

  let answer: { status: number; body: unknown };
  try {
    answer = await getJson(admin.host, admin.port, apiPath(resource, namespace, name));
  } catch (err) {
    process.stderr.write(`edgeway get: cannot reach the admin API at ${values.admin}: ${(err as Error).message}\n`);
    return 1;
  }
  if (answer.status !== 200) {
    const message = (answer.body as { message?: string } | null)?.message ?? `HTTP ${answer.status}`;
    process.stderr.write(`Error from server: ${message}\n`);
    return 1;
  }
  if (output === 'json') process.stdout.write(JSON.stringify(answer.body, null, 2) + '\n');
  else if (output === 'yaml') process.stdout.write(stringify(answer.body));
  else {
    const items = name === undefined ? ((answer.body as { items?: KubeObject[] }).items ?? []) : [answer.body as KubeObject];
    const text = formatTable(resource.kind, items, all && resource.namespaced, new Date());
    if (text === '') process.stderr.write(namespace === undefined ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    else process.stdout.write(text);
  }
  return 0;
}

function getJson(host: string, port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers: { accept: 'application/json' } }, (res) => {
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
