/**
 * Backends and manifests for the balancing, health and locality tests: named loopback backends whose probe answer and
 * traffic answer can be switched, that can be killed and brought back on the same address, plus YAML builders.
 */
import { createServer, type Server } from 'node:http';
import type { ExecutionContext } from 'ava';
import { closeServer } from './helpers/servers.ts';

export interface Backend {
  readonly name: string;
  readonly host: string;
  port: number;
  /** Status of GET /healthz. */
  probeStatus: number;
  /** Status of every other request. */
  status: number;
  /** Requests served (not counting probes). */
  served: number;
  server: Server | null;
  kill(): Promise<void>;
  revive(): Promise<void>;
}

export async function backend(t: ExecutionContext, name: string, host: string): Promise<Backend> {
  const b: Backend = {
    name,
    host,
    port: 0,
    probeStatus: 200,
    status: 200,
    served: 0,
    server: null,
    kill: async () => {
      const s = b.server;
      b.server = null;
      if (s !== null) await closeServer(s);
    },
    revive: async () => {
      b.server = await start(b);
    },
  };
  b.server = await start(b);
  t.teardown(() => b.kill());
  return b;
}

function start(b: Backend): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(b.probeStatus, { 'content-type': 'text/plain' }).end('probe');
      return;
    }
    b.served++;
    res.writeHead(b.status, { 'content-type': 'text/plain', 'x-backend': b.name }).end(b.name);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(b.port, b.host, () => {
      const address = server.address();
      b.port = typeof address === 'object' && address !== null ? address.port : b.port;
      resolve(server);
    });
  });
}

/** A selectorless Service with annotations and one Endpoints object listing the backends. */
export function service(name: string, backends: readonly Backend[], annotations: Record<string, string> = {}): string {
  const ann = Object.entries(annotations);
  const subsets = backends
    .map((b) => `  - addresses:\n      - ip: ${b.host}\n    ports:\n      - name: http\n        port: ${b.port}`)
    .join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
${ann.length === 0 ? '' : `  annotations:\n${ann.map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n`}spec:
  ports:
    - name: http
      port: 80
${backends.length === 0 ? '' : `---
apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
  namespace: default
subsets:
${subsets}
`}`;
}

/** Counts answers by backend name (the body); failures under `failed`. */
export function tally(bodies: readonly { status: number; text: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of bodies) {
    const key = b.status === 200 ? b.text : `failed`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
