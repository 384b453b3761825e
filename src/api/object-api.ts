/**
 * The Kubernetes-shaped object endpoints of the admin API. Reads list or get objects of the current generation with
 * their status filled in (withStatus), filtered by `?labelSelector=`; Secrets never show `data` or `stringData`.
 * Writes (POST, PUT, JSON merge PATCH, DELETE) are validated with the loader's own validators, persisted in the
 * applied layer and put into service by the same reload path as a file change; they need the admin bearer token,
 * and an object defined in a configuration file cannot be changed here (409 Conflict naming its file and line).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { formatDiagnostic } from '../config/diagnostic.ts';
import { documentObjects } from '../config/document-objects.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import { parseYamlFile } from '../config/parse-yaml.ts';
import { validateObject } from '../config/validate/validate-object.ts';
import { matchesLabelSelector } from '../controllers/label-selector.ts';
import type { KubeObject } from '../k8s/types.ts';
import type { ReloadOutcome } from '../reload/reloader.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { withStatus } from '../status/with-status.ts';
import { remove, upsert, type AppliedLayer } from '../store/applied-layer.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { parseApiPath, type ApiTarget } from './api-paths.ts';
import { kubeStatus, type KubeStatus, type StatusCause } from './kube-status.ts';
import { parseLabelSelector } from './label-selector-query.ts';
import { mergePatch } from './merge-patch.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ObjectApiHost {
  /** The objects and snapshot serving now (one generation). */
  view(): { readonly store: ObjectStore; readonly snapshot: Snapshot };
  readonly layer: AppliedLayer;
  /** Whether the request carries the admin token; null when no token is configured (the API is read-only). */
  authorized(req: IncomingMessage): boolean | null;
  /** Reloads after the applied layer changed. */
  reload(): Promise<ReloadOutcome>;
}

type Reply = { readonly status: number; readonly body: unknown };

export class ObjectApi {
  readonly #host: ObjectApiHost;

  constructor(host: ObjectApiHost) {
    this.#host = host;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void => {
    this.#route(req, path, query).then(
      (reply) => sendJson(res, reply.status, reply.body),
      (err: Error) => sendJson(res, 500, kubeStatus('InternalError', err.message)),
    );
  };

  async #route(req: IncomingMessage, path: string, query: URLSearchParams): Promise<Reply> {
    const target = parseApiPath(path);
    if (target === null) return fail(kubeStatus('NotFound', `the server could not find the requested resource ${path}`));
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      req.resume();
      return target.name === undefined ? this.#list(target, query) : this.#get(target);
    }
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      req.resume();
      return fail(kubeStatus('MethodNotAllowed', `${method} is not supported on ${path}`));
    }
    const auth = this.#host.authorized(req);
    if (auth === null) {
      req.resume();
      return fail(kubeStatus('Forbidden', 'the object API is read-only: set spec.admin.token or spec.admin.tokenFile in the EdgewaySettings document to allow writes'));
    }
    if (!auth) {
      req.resume();
      return fail(kubeStatus('Unauthorized', 'writes need the header "Authorization: Bearer <token>" with the admin token from the settings'));
    }
    if (method === 'POST') {
      if (target.name !== undefined) return fail(kubeStatus('MethodNotAllowed', 'POST goes to the collection; use PUT to replace a named object'));
      return this.#create(target, await readBody(req));
    }
    if (target.name === undefined) return fail(kubeStatus('MethodNotAllowed', `${method} needs an object name in the path`));
    if (method === 'DELETE') {
      req.resume();
      return this.#delete(target, target.name);
    }
    return method === 'PUT' ? this.#replace(target, target.name, await readBody(req)) : this.#patch(req, target, target.name, await readBody(req));
  }

  #list(target: ApiTarget, query: URLSearchParams): Reply {
    const { store, snapshot } = this.#host.view();
    const selectorText = query.get('labelSelector');
    const selector = selectorText === null ? null : parseLabelSelector(selectorText);
    if (selector !== null && 'error' in selector) return fail(kubeStatus('BadRequest', selector.error));
    const items = store
      .list(target.resource.kind, target.namespace)
      .filter((l) => selector === null || matchesLabelSelector(l.object.metadata.labels, selector))
      .map((l) => shown(l.object, snapshot));
    return {
      status: 200,
      body: { kind: `${target.resource.kind}List`, apiVersion: target.resource.apiVersion, metadata: { resourceVersion: String(snapshot.generation) }, items },
    };
  }

  #get(target: ApiTarget): Reply {
    const { store, snapshot } = this.#host.view();
    const found = this.#find(store, target, target.name!);
    return found === undefined ? notFound(target, target.name!) : { status: 200, body: shown(found.object, snapshot) };
  }

  async #create(target: ApiTarget, body: string | KubeStatus): Promise<Reply> {
    const parsed = this.#parse(target, body, undefined);
    if ('status' in parsed) return parsed;
    const { store } = this.#host.view();
    const existing = this.#find(store, target, parsed.object.metadata.name);
    if (existing !== undefined) {
      return fail(kubeStatus('AlreadyExists', `${target.resource.kind} ${JSON.stringify(parsed.object.metadata.name)} already exists (${where(existing)})`, detailsOf(target, parsed.object.metadata.name)));
    }
    return this.#write(target, (objects) => upsert(objects, stamped(parsed.object)), parsed.object.metadata.name, 201);
  }

  async #replace(target: ApiTarget, name: string, body: string | KubeStatus): Promise<Reply> {
    const parsed = this.#parse(target, body, name);
    if ('status' in parsed) return parsed;
    const { store, snapshot } = this.#host.view();
    const existing = this.#find(store, target, name);
    const refused = this.#refuseFileObject(target, existing);
    if (refused !== undefined) return refused;
    const rv = parsed.object.metadata.resourceVersion;
    if (existing !== undefined && rv !== undefined && rv !== String(snapshot.generation)) {
      return fail(kubeStatus('Conflict', `the object has been modified (resourceVersion ${rv} is not the current ${snapshot.generation}): read it again and retry`, detailsOf(target, name)));
    }
    return this.#write(target, (objects) => upsert(objects, stamped(parsed.object, existing?.object)), name, existing === undefined ? 201 : 200);
  }

  async #patch(req: IncomingMessage, target: ApiTarget, name: string, body: string | KubeStatus): Promise<Reply> {
    if (typeof body !== 'string') return fail(body);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type !== 'application/merge-patch+json' && type !== 'application/json') {
      return fail(kubeStatus('UnsupportedMediaType', `PATCH takes a JSON merge patch (Content-Type: application/merge-patch+json), not ${JSON.stringify(type)}`));
    }
    const { store } = this.#host.view();
    const existing = this.#find(store, target, name);
    if (existing === undefined) return notFound(target, name);
    const refused = this.#refuseFileObject(target, existing);
    if (refused !== undefined) return refused;
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (err) {
      return fail(kubeStatus('BadRequest', `the patch is not JSON: ${(err as Error).message}`));
    }
    const merged = mergePatch(existing.object, patch);
    return this.#replace(target, name, JSON.stringify(merged, null, 2));
  }

  async #delete(target: ApiTarget, name: string): Promise<Reply> {
    const { store, snapshot } = this.#host.view();
    const existing = this.#find(store, target, name);
    if (existing === undefined) return notFound(target, name);
    const refused = this.#refuseFileObject(target, existing);
    if (refused !== undefined) return refused;
    const gone = shown(existing.object, snapshot);
    const reply = await this.#write(target, (objects) => remove(objects, target.resource.kind, existing.object.metadata.namespace, name), name, 200);
    return reply.status === 200 ? { status: 200, body: gone } : reply;
  }

  /** Persists the change, reloads, and answers with the object as it now serves (or a Status if it did not). */
  async #write(target: ApiTarget, change: (objects: readonly KubeObject[]) => KubeObject[], name: string, status: number): Promise<Reply> {
    const outcome = await this.#host.layer.update(change, () => this.#host.reload());
    if (!outcome.ok) {
      const text = outcome.refused ?? outcome.diagnostics.map(formatDiagnostic).join('; ');
      return fail(kubeStatus('ServiceUnavailable', `the change is saved but the configuration cannot be reloaded now (${text}); it applies with the next successful reload`));
    }
    const { store, snapshot } = this.#host.view();
    const now = this.#find(store, target, name);
    return { status, body: now === undefined ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: status } : shown(now.object, snapshot) };
  }

  /** Body → object with positions in the body, checked against the path and the validators. */
  #parse(target: ApiTarget, body: string | KubeStatus, name: string | undefined): LoadedObject | Reply {
    if (typeof body !== 'string') return fail(body);
    const file = parseYamlFile('request body', body);
    const first = file.documents[0];
    if (file.fatal || first === undefined || file.documents.length > 1) {
      return fail(kubeStatus('BadRequest', `the body must be one JSON or YAML object: ${file.diagnostics.map(formatDiagnostic).join('; ')}`));
    }
    const value = first.value as Partial<KubeObject>;
    if (typeof value === 'object' && value !== null && value.metadata !== undefined && typeof value.metadata === 'object' && target.namespace !== undefined) {
      const ns = value.metadata.namespace;
      if (ns !== undefined && ns !== target.namespace) {
        return fail(kubeStatus('BadRequest', `the namespace of the object (${ns}) does not match the namespace in the path (${target.namespace})`));
      }
      value.metadata.namespace = target.namespace;
    }
    const found = documentObjects(first, true);
    const loaded = found.objects[0];
    if (loaded === undefined) return invalid(target, name ?? '', found.diagnostics.map(cause));
    const o = loaded.object;
    if (o.kind !== target.resource.kind) return fail(kubeStatus('BadRequest', `the object is a ${o.kind}, but the path is for ${target.resource.plural}`));
    if (name !== undefined && o.metadata.name !== name) {
      return fail(kubeStatus('BadRequest', `the name of the object (${o.metadata.name}) does not match the name in the path (${name})`));
    }
    const errors = validateObject(loaded).filter((d) => d.severity === 'error');
    if (errors.length > 0) return invalid(target, o.metadata.name, errors.map(cause));
    return loaded;
  }

  #find(store: ObjectStore, target: ApiTarget, name: string): LoadedObject | undefined {
    return store.get(target.resource.kind, target.resource.namespaced ? target.namespace : undefined, name);
  }

  #refuseFileObject(target: ApiTarget, existing: LoadedObject | undefined): Reply | undefined {
    if (existing === undefined || existing.origin.kind === 'api') return undefined;
    if (existing.origin.kind === 'builtin') return fail(kubeStatus('Conflict', `${target.resource.kind} ${existing.object.metadata.name} is built into edgeway and is not changed through the API`, detailsOf(target, existing.object.metadata.name)));
    return fail(
      kubeStatus(
        'Conflict',
        `${target.resource.kind} ${existing.object.metadata.name} is defined in the configuration file ${where(existing)}; the file is the base layer and is not overwritten through the API: edit the file instead`,
        detailsOf(target, existing.object.metadata.name),
      ),
    );
  }
}

/** What a read shows: status filled in, the generation as resourceVersion, and never a Secret's values. */
function shown(object: KubeObject, snapshot: Snapshot): KubeObject {
  const o = withStatus(object, snapshot);
  const metadata = { ...o.metadata, resourceVersion: String(snapshot.generation) };
  if (o.kind !== 'Secret') return { ...o, metadata };
  const { data: _data, stringData: _stringData, ...rest } = o;
  return { ...rest, metadata } as KubeObject;
}

/** Identity and timestamps the API server would set; kept from the object being replaced. */
function stamped(object: KubeObject, previous?: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return {
    ...object,
    metadata: {
      ...metadata,
      uid: previous?.metadata.uid ?? metadata.uid ?? randomUUID(),
      creationTimestamp: previous?.metadata.creationTimestamp ?? metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  };
}

function where(l: LoadedObject): string {
  return `${l.position.file}:${l.position.line}:${l.position.column}`;
}

function cause(d: { message: string; field?: string; position?: { line: number; column: number } }): StatusCause {
  const at = d.position === undefined ? '' : ` (body line ${d.position.line}, column ${d.position.column})`;
  return { reason: 'FieldValueInvalid', message: d.message + at, ...(d.field === undefined ? {} : { field: d.field }) };
}

function detailsOf(target: ApiTarget, name: string): KubeStatus['details'] {
  return { name, kind: target.resource.plural };
}

function notFound(target: ApiTarget, name: string): Reply {
  return fail(kubeStatus('NotFound', `${target.resource.plural} ${JSON.stringify(name)} not found`, detailsOf(target, name)));
}

function invalid(target: ApiTarget, name: string, causes: StatusCause[]): Reply {
  const summary = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`)).join('; ');
  return fail(kubeStatus('Invalid', `${target.resource.kind} ${JSON.stringify(name)} is invalid: ${summary}`, { name, kind: target.resource.kind, causes }));
}

function fail(status: KubeStatus): Reply {
  return { status: status.code, body: status };
}

function readBody(req: IncomingMessage): Promise<string | KubeStatus> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? kubeStatus('BadRequest', `the body is over ${MAX_BODY_BYTES} bytes`) : Buffer.concat(chunks).toString('utf8')));
    req.on('error', (err) => resolve(kubeStatus('BadRequest', err.message)));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
