/**
 * What a verb answers (a status code and a JSON body) and the Status replies the verbs share, worded as the API
 * server words them (`services "web" not found`), since kubectl prints the message as is.
 */
import type { ServerResponse } from 'node:http';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export function fail(status: KubeStatus): Reply {
  return { status: status.code, body: status };
}

export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

export function detailsOf(entry: KindEntry, name: string): NonNullable<KubeStatus['details']> {
  return { name, ...(entry.group === '' ? {} : { group: entry.group }), kind: entry.plural };
}

export function notFound(entry: KindEntry, name: string): Reply {
  return fail(kubeStatus('NotFound', `${resourceName(entry)} ${JSON.stringify(name)} not found`, detailsOf(entry, name)));
}

/** `services`, or `ingresses.networking.k8s.io` outside the core group, as the API server names resources. */
export function resourceName(entry: KindEntry): string {
  return entry.group === '' ? entry.plural : `${entry.plural}.${entry.group}`;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
