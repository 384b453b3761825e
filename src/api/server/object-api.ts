/**
 * The request entry of the Kubernetes-compatible API (the admin listener answers discovery and OpenAPI before it):
 * a path parsed into a kind, namespace and name (api-paths.ts), then the verb: get, list (JSON or Table, with selectors and pagination) and
 * watch are answered here from the ServedView and the watch history of the last generation swap; writes (create,
 * update, patch, delete, deletecollection) are in object-writes.ts. Reads are open like the rest of the admin
 * listener; writes need the admin bearer token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../k8s/types.ts';
import { parseApiPath, type ApiTarget } from './api-paths.ts';
import { kubeStatus } from '../kube-status.ts';
import { encodeContinue, matchesQuery, parseListQuery, type ListQuery } from '../query/list-query.ts';
import { toTable } from '../table/to-table.ts';
import { serveWatch } from '../watch/watch-stream.ts';
import { ObjectWrites, type WriteHost } from './object-writes.ts';
import { fail, notFound, ok, sendJson, type Reply } from './reply.ts';

export type ObjectApiHost = WriteHost;

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ObjectApi {
  readonly #host: ObjectApiHost;
  readonly #writes: ObjectWrites;

  constructor(host: ObjectApiHost) {
    this.#host = host;
    this.#writes = new ObjectWrites(host);
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void => {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      req.resume();
      const target = parseApiPath(path);
      if (target === null) return sendJson(res, 404, kubeStatus('NotFound', 'the server could not find the requested resource'));
      const table = tableForm(req, query);
      if (target.name !== undefined) return send(res, this.#get(target, table));
      const q = parseListQuery(target.resource.kind, query);
      if ('kind' in q) return sendJson(res, q.code, q);
      if (q.watch) {
        return serveWatch(res, this.#host.storage.history, this.#host.storage.view, { entry: target.resource, namespace: target.namespace, query: q, table });
      }
      return send(res, this.#list(target, q, table));
    }
    const target = parseApiPath(path);
    if (target === null) {
      req.resume();
      return sendJson(res, 404, kubeStatus('NotFound', 'the server could not find the requested resource'));
    }
    if (!WRITE_METHODS.has(method)) {
      req.resume();
      return sendJson(res, 405, kubeStatus('MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`));
    }
    this.#writes.handle(req, method, target, query).then(
      (reply) => send(res, reply),
      (err: Error) => sendJson(res, 500, kubeStatus('InternalError', err.message)),
    );
  };

  /** One object; a one-row Table when asked for, as `kubectl get svc web` prints the kind's columns from it. */
  #get(target: ApiTarget, table: 'None' | 'Metadata' | 'Object' | null): Reply {
    const entry = target.resource;
    const view = this.#host.storage.view;
    const found = view.get(entry.kind, entry.namespaced ? target.namespace : undefined, target.name!);
    if (found === undefined) return notFound(entry, target.name!);
    if (table === null) return ok(found.object);
    return ok(
      toTable(entry, [found.object], { wide: true, includeObject: table, resourceVersion: found.object.metadata.resourceVersion ?? String(view.revision) }),
    );
  }

  /** A list sorted by namespace and name, filtered, one page of it when `limit` is set; a Table when asked for. */
  #list(target: ApiTarget, q: ListQuery, table: 'None' | 'Metadata' | 'Object' | null): Reply {
    const entry = target.resource;
    const view = this.#host.storage.view;
    // Lists are served at the latest version only: an exact older one is gone, as after an etcd compaction.
    if (q.exact && q.resourceVersion !== String(view.revision)) {
      return fail(kubeStatus('Expired', `too old resource version: ${q.resourceVersion} (${view.revision})`));
    }
    const all = view.list(entry.kind, target.namespace);
    let start = 0;
    if (q.after !== null)
      start = firstAfter(
        all.map((e) => e.object),
        q.after,
      );
    const items: KubeObject[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (let i = start; i < all.length; i++) {
      const o = all[i]!.object;
      if (!matchesQuery(o, q)) continue;
      if (q.limit > 0 && items.length === q.limit) {
        next = encodeContinue(view.revision, items[items.length - 1]!);
        remaining = all.length - i;
        break;
      }
      items.push(o);
    }
    const resourceVersion = String(view.revision);
    if (table !== null)
      return ok(toTable(entry, items, { wide: true, includeObject: table, resourceVersion, ...(next === undefined ? {} : { continueToken: next }) }));
    const unfiltered = q.labels === null && q.fields === null;
    const metadata = { resourceVersion, ...(next === undefined ? {} : { continue: next, ...(unfiltered ? { remainingItemCount: remaining } : {}) }) };
    return ok({ kind: `${entry.kind}List`, apiVersion: entry.apiVersion, metadata, items });
  }
}

/** Index of the first object after `namespace/name` in a list sorted by namespace and name. */
function firstAfter(objects: readonly KubeObject[], after: string): number {
  const slash = after.indexOf('/');
  const ns = after.slice(0, slash);
  const name = after.slice(slash + 1);
  let lo = 0;
  let hi = objects.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = objects[mid]!.metadata;
    const mns = m.namespace ?? '';
    if (mns < ns || (mns === ns && m.name <= name)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The Table form kubectl asks for in Accept (`as=Table;v=v1;g=meta.k8s.io`), with includeObject; null for plain JSON. */
function tableForm(req: IncomingMessage, query: URLSearchParams): 'None' | 'Metadata' | 'Object' | null {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('as=Table')) return null;
  const include = query.get('includeObject');
  return include === 'None' || include === 'Object' ? include : 'Metadata';
}

function send(res: ServerResponse, reply: Reply): void {
  sendJson(res, reply.status, reply.body);
}
