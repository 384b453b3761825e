/**
 * The admin listener (loopback by default): `/healthz` says the process is alive, `/readyz` says the configuration
 * is applied and every entrypoint is bound (503 before that and while draining), `/config/status` shows the current
 * generation and what compilation found, `/debug/upstreams` every backend's endpoints with their locality, health,
 * ejection and load (upstream-status.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostic.ts';
import type { HostPort } from '../config/settings.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { addressStatus } from '../status/address-status.ts';

export interface AdminState {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly snapshot: Snapshot;
  /** Found when the snapshot was bound (Ingress tls entries with unusable Secrets), shown with the snapshot's. */
  readonly bindDiagnostics: readonly Diagnostic[];
  readonly startedAt: Date;
  readonly skippedObjects: number;
  /** Endpoint health and locality per backend (src/dataplane/upstream-status.ts). */
  readonly upstreams: () => unknown;
}

export class AdminServer {
  readonly #state: () => AdminState;
  readonly #server: Server;

  constructor(state: () => AdminState) {
    this.#state = state;
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  listen(at: HostPort): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(at.port, at.host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : at.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
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
      case '/debug/upstreams':
        return send(res, 200, 'application/json', JSON.stringify({ generation: state.snapshot.generation, backends: state.upstreams() }, null, 2) + '\n');
      default:
        return send(res, 404, 'text/plain', 'not found\n');
    }
  }
}

function configStatus(state: AdminState): unknown {
  const s = state.snapshot;
  return {
    generation: s.generation,
    ready: state.ready,
    lastSuccess: s.compiledAt.toISOString(),
    compileMs: Math.round(s.compileMs * 1000) / 1000,
    objects: s.objectCount,
    skippedObjects: state.skippedObjects,
    ingresses: s.ingresses.length,
    hosts: s.routes.hostCount,
    backends: s.backends.size,
    certificates: s.tls.certificates,
    diagnostics: [...s.diagnostics, ...state.bindDiagnostics].map((d) => ({ ...d, text: formatDiagnostic(d) })),
    addresses: addressStatus(s),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
