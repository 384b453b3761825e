/**
 * The write verbs of the object API with the API server's semantics: create (201; 409 AlreadyExists; 404 for a
 * namespace that does not exist), update (PUT; 409 Conflict when the body's resourceVersion is not THAT object's;
 * a missing object is created only for the kinds the API server creates on update), patch (patch types through
 * applyPatch), delete (propagationPolicy and gracePeriodSeconds accepted; a Namespace takes the API objects in it
 * along) and deletecollection. Objects from configuration files are read-only here: 403 naming file and line.
 *
 * Every write is defaulted (defaultObject), validated (the loader's validators, answered as invalidStatus), has its
 * managedFields kept (trackUpdate) and is admitted against the serving objects (allocation included); `dryRun=All`
 * stops there and stores nothing. Otherwise the change is persisted in the applied layer and put
 * into service by a reload; the checks that depend on other objects (existence, version, admission) run again inside
 * the layer's serialized update, so two concurrent writes cannot both pass them.
 */
import type { IncomingMessage } from 'node:http';
import { formatDiagnostic, type Diagnostic } from '../../config/diagnostic.ts';
import type { LoadedObject } from '../../config/loaded-object.ts';
import { validateObject } from '../../config/validate/validate-object.ts';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import { objectRef, type KubeObject } from '../../k8s/types.ts';
import type { ReloadOutcome } from '../../reload/reloader.ts';
import { remove, upsert } from '../../store/applied-layer.ts';
import type { WritableLayer } from '../../store/writable-layer.ts';
import type { ApiTarget } from './api-paths.ts';
import { defaultObject } from '../defaults/default-object.ts';
import { kubeStatus } from '../kube-status.ts';
import { applyPatch, trackUpdate, type PatchOptions } from '../patch/apply-patch.ts';
import { matchesQuery, parseListQuery } from '../query/list-query.ts';
import type { ApiStorage } from '../storage/api-storage.ts';
import { BUILT_IN_NAMESPACES, type ServedEntry } from '../storage/served-view.ts';
import { defaultIngressClassRefusal } from '../defaults/ingress-defaults.ts';
import { ingressCreateDiagnostics } from '../validation/ingress-create.ts';
import { invalidStatus } from '../validation/invalid-status.ts';
import { decodeObject, type Write } from './decode-object.ts';
import { mediaType, readBody, refuseProtobuf } from './request-body.ts';
import { alreadyExists, readOnly, staleVersion } from './write-refusals.ts';
import { detailsOf, fail, notFound, ok, type Reply } from './reply.ts';

export interface WriteHost {
  /** What the API serves (the last generation swap) and the watch history. */
  readonly storage: ApiStorage;
  /** Where written objects are stored: the state directory's file, or etcd when replicas share them. */
  readonly layer: WritableLayer;
  /** Whether the request carries the admin token; null when no token is configured (the API is read-only). */
  authorized(req: IncomingMessage): boolean | null;
  /** Reloads after the applied layer changed. */
  reload(): Promise<ReloadOutcome>;
  /** What compiling the serving objects with `object` in place would report about it (errors), for dry runs. */
  admit(object: LoadedObject): readonly Diagnostic[];
}

/** Kinds the API server creates when a PUT names a missing object. */
const CREATE_ON_UPDATE: ReadonlySet<string> = new Set(['Endpoints', 'EndpointSlice', 'Event']);
/** How often a patch is computed again when its object changed meanwhile. */
const MAX_PATCH_ATTEMPTS = 5;
/** Kinds whose status edgeway computes: a write's status is dropped, the snapshot fills it in. */
const COMPUTED_STATUS: ReadonlySet<string> = new Set(['Service', 'Ingress']);

/** Thrown inside a layer update to refuse it with a Status (nothing is written). */
class Refusal extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super('refused');
    this.reply = reply;
  }
}

function refuseIf(reply: Reply | null): void {
  if (reply !== null) throw new Refusal(reply);
}

export class ObjectWrites {
  readonly #host: WriteHost;

  constructor(host: WriteHost) {
    this.#host = host;
  }

  async handle(req: IncomingMessage, method: string, target: ApiTarget, query: URLSearchParams): Promise<Reply> {
    const auth = this.#host.authorized(req);
    const refusedBody = refuseProtobuf(req);
    if (auth !== true || refusedBody !== null) req.resume();
    if (auth === null)
      return fail(
        kubeStatus('Forbidden', 'the object API is read-only: set spec.admin.token or spec.admin.tokenFile in the EdgewaySettings document to allow writes'),
      );
    if (!auth) return fail(kubeStatus('Unauthorized', 'writes need the header "Authorization: Bearer <token>" with the admin token from the settings'));
    if (refusedBody !== null) return fail(refusedBody);
    const dry = query.getAll('dryRun');
    if (dry.some((d) => d !== 'All'))
      return fail(kubeStatus('BadRequest', `dryRun: Unsupported value: ${JSON.stringify(dry.find((d) => d !== 'All'))}: supported values: "All"`));
    const body = await readBody(req);
    if (typeof body !== 'string') return fail(body);
    const w: Write = { target, entry: target.resource, body, dryRun: dry.length > 0 || bodyDryRun(body, method), options: patchOptions(req, query) };
    if (method === 'POST')
      return target.name === undefined
        ? this.#create(w)
        : fail(kubeStatus('MethodNotAllowed', 'POST goes to the collection; use PUT to replace a named object'));
    if (target.name === undefined)
      return method === 'DELETE' ? this.#deleteCollection(w, query) : fail(kubeStatus('MethodNotAllowed', `${method} needs an object name in the path`));
    if (method === 'DELETE') return this.#delete(w, target.name);
    if (method === 'PUT') return this.#update(w, target.name, null);
    return this.#patch(w, target.name, mediaType(req.headers['content-type']));
  }

  async #create(w: Write): Promise<Reply> {
    const parsed = decodeObject(w, undefined);
    if ('status' in parsed) return parsed;
    const missingNs = this.#namespaceMissing(w.entry, parsed.object);
    if (missingNs !== null) return missingNs;
    const name = parsed.object.metadata.name;
    if (this.#existing(w.entry, parsed.object.metadata.namespace, name) !== undefined) return alreadyExists(w.entry, name);
    // Create-only rules of the API server: a class-less Ingress needs exactly one default IngressClass, and an
    // Ingress may not name one class in its annotation and another in ingressClassName.
    const classes = this.#host.storage.view.list('IngressClass').map((e) => e.object);
    const refused = defaultIngressClassRefusal(w.entry, parsed.object, classes);
    if (refused !== null) return fail(refused);
    const mismatch = ingressCreateDiagnostics(parsed.object);
    if (mismatch.length > 0) return fail(invalidStatus(w.entry, name, mismatch));
    const prepared = this.#prepare(w, parsed, null);
    if ('status' in prepared) return prepared;
    if (w.dryRun) return this.#admit(w, prepared) ?? ok(prepared.object, 201);
    return this.#write(w, prepared.object, 201, (objects) => {
      if (this.#existing(w.entry, prepared.object.metadata.namespace, name) !== undefined) throw new Refusal(alreadyExists(w.entry, name));
      refuseIf(this.#admit(w, prepared));
      return upsert(objects, stored(prepared.object));
    });
  }

  /** PUT, and the result of a patch (`patched`, already decoded from the patched object). */
  async #update(w: Write, name: string, patched: LoadedObject | null): Promise<Reply> {
    const parsed = patched ?? decodeObject(w, name);
    if ('status' in parsed) return parsed;
    const namespace = w.entry.namespaced ? w.target.namespace : undefined;
    const existing = this.#existing(w.entry, namespace, name);
    if (existing === undefined && !CREATE_ON_UPDATE.has(w.entry.kind)) return notFound(w.entry, name);
    if (existing === undefined) return this.#create({ ...w, body: JSON.stringify(parsed.object) });
    const refused = readOnly(w.entry, existing);
    if (refused !== null) return refused;
    const conflict = staleVersion(w.entry, parsed.object, existing);
    if (conflict !== null) return conflict;
    const prepared = this.#prepare(w, parsed, existing.object);
    if ('status' in prepared) return prepared;
    if (w.dryRun) return this.#admit(w, prepared) ?? ok(prepared.object, 200);
    return this.#write(w, prepared.object, 200, (objects) => {
      const now = this.#existing(w.entry, namespace, name);
      if (now === undefined) throw new Refusal(notFound(w.entry, name));
      refuseIf(staleVersion(w.entry, parsed.object, now));
      refuseIf(this.#admit(w, prepared));
      return upsert(objects, stored(prepared.object));
    });
  }

  /**
   * A patch is computed from the object as served now, then stored as an update of that version. When another write
   * got in between and the patch did not name a version itself, it is computed again from the new object, as the
   * API server retries a patch on conflict.
   */
  async #patch(w: Write, name: string, contentType: string): Promise<Reply> {
    const namespace = w.entry.namespaced ? w.target.namespace : undefined;
    for (let attempt = 1; ; attempt++) {
      const existing = this.#existing(w.entry, namespace, name);
      if (existing === undefined && contentType !== 'application/apply-patch+yaml') return notFound(w.entry, name);
      if (existing !== undefined) {
        const refused = readOnly(w.entry, existing);
        if (refused !== null) return refused;
      }
      const live = existing === undefined ? null : liveObject(existing);
      const result = applyPatch(w.entry, live, contentType, w.body, w.options);
      if (!result.ok) return fail(result.status);
      const body = JSON.stringify(result.object);
      const reparsed = decodeObject({ ...w, body }, name);
      if ('status' in reparsed) return reparsed;
      // The patch recorded its own managedFields (an apply as operation Apply): #prepare leaves them as they are.
      if (existing === undefined) return this.#create({ ...w, body, tracked: true });
      const reply = await this.#update({ ...w, tracked: true }, name, reparsed);
      const implicitVersion = result.object.metadata.resourceVersion === live?.metadata.resourceVersion;
      if (reply.status !== 409 || !implicitVersion || attempt === MAX_PATCH_ATTEMPTS) return reply;
    }
  }

  async #delete(w: Write, name: string): Promise<Reply> {
    const namespace = w.entry.namespaced ? w.target.namespace : undefined;
    const existing = this.#existing(w.entry, namespace, name);
    if (existing === undefined) return notFound(w.entry, name);
    if (w.entry.kind === 'Namespace' && BUILT_IN_NAMESPACES.includes(name)) {
      return fail(kubeStatus('Forbidden', `namespaces ${JSON.stringify(name)} is forbidden: this namespace may not be deleted`, detailsOf(w.entry, name)));
    }
    const refused = existing.loaded === null && existing.generatedBy === undefined ? null : readOnly(w.entry, existing);
    if (refused !== null) return refused;
    if (w.dryRun) return ok(existing.object);
    const gone = existing.object;
    const reply = await this.#write(w, null, 200, (objects) => {
      const left = remove(objects, w.entry.kind, namespace, name);
      // A Namespace takes what was created in it through the API along; objects from files stay with their files.
      return w.entry.kind === 'Namespace' ? left.filter((o) => o.metadata.namespace !== name) : left;
    });
    return reply.status === 200 ? ok(gone) : reply;
  }

  async #deleteCollection(w: Write, query: URLSearchParams): Promise<Reply> {
    const q = parseListQuery(w.entry.kind, query);
    if ('kind' in q) return fail(q);
    const chosen = this.#host.storage.view.list(w.entry.kind, w.target.namespace).filter((e) => matchesQuery(e.object, q));
    for (const e of chosen) {
      const refused = e.loaded === null && e.generatedBy === undefined ? null : readOnly(w.entry, e);
      if (refused !== null) return refused;
    }
    const items = chosen.map((e) => e.object);
    const list = { kind: `${w.entry.kind}List`, apiVersion: w.entry.apiVersion, metadata: {}, items };
    if (w.dryRun || chosen.length === 0) return ok(list);
    const reply = await this.#write(w, null, 200, (objects) => {
      let left: readonly KubeObject[] = objects;
      for (const o of items) left = remove(left, o.kind, o.metadata.namespace, o.metadata.name);
      return [...left];
    });
    return reply.status === 200 ? ok(list) : reply;
  }

  /** Defaults, validation and managedFields: the object as it would be stored, or the Status refusing it. */
  #prepare(w: Write, parsed: LoadedObject, previous: KubeObject | null): LoadedObject | Reply {
    const view = this.#host.storage.view;
    const lookup = (kind: string): readonly KubeObject[] => view.list(kind).map((e) => e.object);
    // Defaults on every write, as the API server decodes every request with them.
    const defaulted = defaultObject(w.entry, parsed.object, lookup);
    const candidate: LoadedObject = { ...parsed, object: defaulted };
    // Findings in fields the client wrote come first, then those in values defaulting filled in (their positions
    // fall back to an enclosing field, which would otherwise sort them ahead), as the API server lists them.
    const errors = validateObject(candidate)
      .filter((d) => d.severity === 'error')
      .sort((a, b) => Number(!written(parsed.object, a.field)) - Number(!written(parsed.object, b.field)));
    if (errors.length > 0) return fail(invalidStatus(w.entry, defaulted.metadata.name, errors));
    return { ...candidate, object: w.tracked === true ? defaulted : trackUpdate(w.entry, previous, defaulted, w.options) };
  }

  /**
   * Admission against the serving objects (allocation included) before anything is stored, for real writes and dry
   * runs alike: an object the compile would refuse (a NodePort already taken) is a 422, never stored then reported.
   * Real writes are admitted inside the layer's serialized update, against what the write before them produced.
   */
  #admit(w: Write, prepared: LoadedObject): Reply | null {
    const errors = this.#host.admit(prepared).filter((d) => d.severity === 'error');
    return errors.length > 0 ? fail(invalidStatus(w.entry, prepared.object.metadata.name, errors)) : null;
  }

  /** Persists the change, reloads, and answers with the object as it now serves (a Status when it does not). */
  async #write(w: Write, object: KubeObject | null, status: number, change: (objects: readonly KubeObject[]) => KubeObject[]): Promise<Reply> {
    let outcome: ReloadOutcome;
    try {
      outcome = await this.#host.layer.update(change, () => this.#host.reload());
    } catch (err) {
      if (err instanceof Refusal) return err.reply;
      const code = (err as { code?: unknown }).code;
      // etcd out of reach or a race lost again and again: nothing was stored, and the client may simply retry.
      if (code === 'EW_SHARED_STATE_UNREACHABLE') return fail(kubeStatus('ServiceUnavailable', (err as Error).message));
      if (code === 'EW_WRITE_CONFLICT') {
        const name = object?.metadata.name ?? '';
        return fail(
          kubeStatus(
            'Conflict',
            `Operation cannot be fulfilled on ${w.entry.plural} ${JSON.stringify(name)}: the object has been modified; please apply your changes to the latest version and try again`,
            detailsOf(w.entry, name),
          ),
        );
      }
      throw err;
    }
    if (!outcome.ok) {
      const text = outcome.refused ?? outcome.diagnostics.map(formatDiagnostic).join('; ');
      return fail(
        kubeStatus(
          'ServiceUnavailable',
          `the change is saved but the configuration cannot be reloaded now (${text}); it applies with the next successful reload`,
        ),
      );
    }
    if (object === null) return ok({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: status });
    const now = this.#existing(w.entry, object.metadata.namespace, object.metadata.name);
    if (now !== undefined) return ok(now.object, status);
    // Left out by the reload after all (admitted, but refused by the full load): say why, as a 422.
    const ref = objectRef(object);
    const problems = outcome.diagnostics.filter((d) => d.severity === 'error' && d.object === ref);
    return problems.length > 0
      ? fail(invalidStatus(w.entry, object.metadata.name, problems))
      : ok({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: status });
  }

  #existing(entry: KindEntry, namespace: string | undefined, name: string): ServedEntry | undefined {
    return this.#host.storage.view.get(entry.kind, entry.namespaced ? namespace : undefined, name);
  }

  #namespaceMissing(entry: KindEntry, object: KubeObject): Reply | null {
    const ns = object.metadata.namespace;
    if (!entry.namespaced || ns === undefined || this.#host.storage.view.hasNamespace(ns)) return null;
    return fail(kubeStatus('NotFound', `namespaces ${JSON.stringify(ns)} not found`, { name: ns, kind: 'namespaces' }));
  }
}

/** What a patch applies to: the object as stored (a Secret with its data) with the served metadata. */
function liveObject(existing: ServedEntry): KubeObject {
  const stored = existing.loaded?.object ?? existing.object;
  return { ...stored, metadata: existing.object.metadata };
}

/** The object as the applied layer keeps it: the metadata store owns versions, the snapshot computed status. */
function stored(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, generation: _g, uid: _u, creationTimestamp: _c, ...metadata } = object.metadata;
  const { status: _s, ...rest } = object;
  return COMPUTED_STATUS.has(object.kind) ? { ...rest, metadata } : { ...object, metadata };
}

function patchOptions(req: IncomingMessage, query: URLSearchParams): PatchOptions {
  const agent = (req.headers['user-agent'] ?? 'unknown').split('/')[0]!;
  return { fieldManager: query.get('fieldManager') ?? agent, force: query.get('force') === 'true', now: new Date() };
}

/** DeleteOptions bodies may carry `dryRun: ["All"]` instead of the query parameter. */
function bodyDryRun(body: string, method: string): boolean {
  if (method !== 'DELETE' || body === '') return false;
  try {
    const o = JSON.parse(body) as { dryRun?: unknown };
    return Array.isArray(o.dryRun) && o.dryRun.includes('All');
  } catch {
    return false;
  }
}

/** Whether `field` (`spec.ports[0].port`) is present in what the client sent. */
function written(object: unknown, field: string | undefined): boolean {
  if (field === undefined) return true;
  let at: unknown = object;
  for (const part of field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return at !== undefined;
}
