/**
 * The admin listener (loopback by default): `/healthz` says the process is alive, `/readyz` says the configuration
 * is applied and every entrypoint is bound (503 before that and while draining), `/config/status` shows the current
 * generation, what compilation found and how the last reload went, `POST /reload` reloads, `/metrics` is the
 * Prometheus scrape, `/debug/upstreams` every backend's endpoints with their locality, health, ejection and load
 * (upstream-status.ts; with workers, asked of each worker and merged), `/version`, the discovery documents and
 * `/openapi/…` describe the Kubernetes-compatible API, and `/api/…`, `/apis/…` are its object endpoints. One port
 * serves HTTPS and plain HTTP (protocol-sniffer.ts). This file only routes; each area answers in its own module.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { discoveryReply } from '../api/discovery/discovery-routes.ts';
import { openApiReply } from '../api/openapi/openapi-routes.ts';
import type { PemPair } from '../tls/pem-pair-files.ts';
import { ProtocolSniffer } from './protocol-sniffer.ts';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostic.ts';
import type { HostPort } from '../config/settings.ts';
import type { ReloadOutcome, ReloadStatus } from '../reload/reloader.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { addressStatus } from '../status/address-status.ts';
import { sharedStateCondition, sharedStateStatus } from '../status/shared-state-status.ts';
import type { SharedStateHealth } from '../shared/shared-state-health.ts';
import { listenOn } from '../dataplane/listeners/listen-on.ts';

export interface AdminState {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly snapshot: Snapshot;
  /** Found when the snapshot was bound (Ingress tls entries with unusable Secrets), shown with the snapshot's. */
  readonly bindDiagnostics: readonly Diagnostic[];
  /** What loading the files of this generation found (and the applied layer at start), listed first. */
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly startedAt: Date;
  readonly skippedObjects: number;
  readonly reload: ReloadStatus;
  /**
   * Endpoint health and locality per backend (src/dataplane/upstream/upstream-status.ts); with workers, a promise of
   * the primary's view merged with theirs (src/workers/upstreams-merge.ts).
   */
  readonly upstreams: () => unknown;
  /** The data-plane workers (id, pid, generation served) when there are any (src/workers/worker-pool.ts). */
  readonly workers?: unknown;
  /** This replica's name (spec.replicaName, --replica-name, or the host name). */
  readonly replica?: string;
  /** Whether the state shared in etcd is reachable; null or absent when etcd is off. */
  readonly shared?: SharedStateHealth | null;
}

/** What the admin listener can ask of the process; the optional ones are answered 404 when absent. */
export interface AdminActions {
  reload(): Promise<ReloadOutcome>;
  /** Whether a request may change things (writes, reload): checks the bearer token. */
  authorized?(req: IncomingMessage): boolean;
  metrics?(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** The object API; called for paths under /api/ and /apis/. */
  objects?(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void;
}

/** A connection to the admin listener that sends or reads nothing for this long is closed. */
const IDLE_TIMEOUT_MS = 120_000;

export class AdminServer {
  readonly #state: () => AdminState;
  readonly #actions: AdminActions;
  readonly #sniffer: ProtocolSniffer;

  /**
   * `certificate` gives the serving certificate, asked for on each TLS connection (a changed one is served from
   * then on); without it the listener speaks plain HTTP only and closes TLS connections.
   */
  constructor(state: () => AdminState, actions: AdminActions, certificate?: () => Promise<PemPair>) {
    this.#state = state;
    this.#actions = actions;
    const handle = (req: IncomingMessage, res: ServerResponse): void => this.#handle(req, res);
    const plain: Server = createServer(handle);
    // The HTTP servers never listen (protocol-sniffer.ts hands them sockets), so Node's periodic request and header
    // timeout checks never start: an idle timeout bounds connections that stall instead.
    plain.timeout = IDLE_TIMEOUT_MS;
    let tls: HttpsServer | null = null;
    let servedPem = '';
    this.#sniffer = new ProtocolSniffer(plain, async () => {
      if (certificate === undefined) throw new Error('the admin listener has no serving certificate');
      const pair = await certificate();
      if (tls === null) {
        tls = createHttpsServer({ cert: pair.certPem, key: pair.keyPem }, handle);
        tls.timeout = IDLE_TIMEOUT_MS;
      } else if (pair.certPem !== servedPem) tls.setSecureContext({ cert: pair.certPem, key: pair.keyPem });
      servedPem = pair.certPem;
      return tls;
    });
  }

  listen(at: HostPort): Promise<number> {
    return listenOn(this.#sniffer.server, at.host, at.port);
  }

  close(): Promise<void> {
    return this.#sniffer.close();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const described = discoveryReply(path, req.headers.accept, req.headers.host ?? '') ?? openApiReply(path, req.headers.accept);
      if (described !== null) return send(res, described.status, described.contentType, described.body);
    }
    if ((path.startsWith('/api/') || path.startsWith('/apis/') || path === '/api' || path === '/apis') && this.#actions.objects) {
      return this.#actions.objects(req, res, path, url.searchParams);
    }
    if (path === '/reload') return this.#reload(req, res);
    const state = this.#state();
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return send(res, 200, 'text/plain', 'ok\n');
      case '/readyz':
        if (state.draining) return send(res, 503, 'text/plain', 'draining\n');
        return state.ready ? send(res, 200, 'text/plain', 'ready\n') : send(res, 503, 'text/plain', 'not ready\n');
      case '/config/status':
        return send(res, 200, 'application/json', JSON.stringify(configStatus(state), null, 2) + '\n');
      case '/debug/upstreams': {
        const generation = state.snapshot.generation;
        Promise.resolve(state.upstreams()).then(
          (backends) => send(res, 200, 'application/json', JSON.stringify({ generation, backends }, null, 2) + '\n'),
          (err: Error) => send(res, 500, 'text/plain', `upstreams failed: ${err.message}\n`),
        );
        return;
      }
      case '/metrics':
        if (this.#actions.metrics === undefined) break;
        this.#actions.metrics().then(
          (m) => send(res, 200, m.contentType, m.body),
          (err: Error) => send(res, 500, 'text/plain', `metrics failed: ${err.message}\n`),
        );
        return;
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }

  #reload(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST /reload\n');
    if (this.#actions.authorized !== undefined && !this.#actions.authorized(req)) {
      return send(res, 401, 'text/plain', 'POST /reload needs "Authorization: Bearer <token>" with the admin token from the settings\n');
    }
    req.resume();
    this.#actions.reload().then(
      (outcome) =>
        send(
          res,
          outcome.ok ? 200 : outcome.refused !== undefined ? 503 : 422,
          'application/json',
          JSON.stringify({ ...outcome, diagnostics: outcome.diagnostics.map(shown) }, null, 2) + '\n',
        ),
      (err: Error) => send(res, 500, 'text/plain', `reload failed: ${err.message}\n`),
    );
  }
}

function configStatus(state: AdminState): unknown {
  const s = state.snapshot;
  const r = state.reload;
  const shared = state.shared?.view();
  return {
    ...(state.replica === undefined ? {} : { replica: state.replica }),
    generation: s.generation,
    ready: state.ready,
    lastSuccess: (r.lastSuccess ?? s.compiledAt).toISOString(),
    lastAttempt: r.lastAttempt?.toISOString() ?? null,
    lastError:
      r.lastError === null
        ? null
        : { at: r.lastError.at.toISOString(), trigger: r.lastError.trigger, message: r.lastError.message, diagnostics: r.lastError.diagnostics.map(shown) },
    reloads: { succeeded: r.successes, failed: r.failures },
    compiledAt: s.compiledAt.toISOString(),
    compileMs: Math.round(s.compileMs * 1000) / 1000,
    objects: s.objectCount,
    skippedObjects: state.skippedObjects,
    ingresses: s.ingresses.length,
    hosts: s.routes.hostCount,
    backends: s.backends.size,
    certificates: s.tls.certificates,
    diagnostics: [...state.loadDiagnostics, ...s.diagnostics, ...state.bindDiagnostics].map(shown),
    addresses: addressStatus(s),
    ...(state.workers !== undefined && { workers: state.workers }),
    ...(shared === undefined ? {} : { sharedState: sharedStateStatus(shared), conditions: [sharedStateCondition(shared)] }),
  };
}

function shown(d: Diagnostic): Diagnostic & { text: string } {
  return { ...d, text: formatDiagnostic(d) };
}

export function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
