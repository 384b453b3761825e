/**
 * Builders for the address tests: Services with hand-written Endpoints (so no Pods are needed), per-test address
 * blocks on loopback so test files running side by side never ask for the same address:port, tiny peers (a named
 * HTTP pod, a TCP peer that answers after the client's half-close), and an in-process start on a given state dir so
 * a test can stop and start again on the same one.
 */
import { randomInt } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { Edgeway } from '../src/edgeway.ts';
import { docs, INGRESS_CLASS } from './helpers/manifests.ts';
import { closeServer, listen, type Listening } from './helpers/servers.ts';

/** A /24 of loopback nobody else in the suite uses (127.200-239.x.0), for pools and node addresses. */
export function loopbackBlock(): string {
  return `127.${200 + randomInt(40)}.${randomInt(256)}`;
}

export interface EndpointSpec {
  readonly ip: string;
  readonly port: number;
  readonly nodeName?: string;
}

export interface ServiceSpec {
  readonly name: string;
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly ports: readonly { readonly port: number; readonly name?: string; readonly appProtocol?: string; readonly protocol?: string; readonly nodePort?: number }[];
  readonly endpoints: readonly EndpointSpec[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** Extra spec lines, already indented by two spaces. */
  readonly spec?: string;
  readonly created?: string;
}

/** A selectorless Service and its Endpoints; every endpoint serves every port (by port name). */
export function service(s: ServiceSpec): string {
  const names = s.ports.map((p, i) => p.name ?? `p${i}`);
  const annotations = Object.entries(s.annotations ?? {})
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  const ports = s.ports
    .map(
      (p, i) =>
        `    - name: ${names[i]}\n      port: ${p.port}` +
        (p.protocol === undefined ? '' : `\n      protocol: ${p.protocol}`) +
        (p.appProtocol === undefined ? '' : `\n      appProtocol: ${p.appProtocol}`) +
        (p.nodePort === undefined ? '' : `\n      nodePort: ${p.nodePort}`),
    )
    .join('\n');
  const subsets = s.endpoints.length === 0 ? '' : `subsets:\n` + s.endpoints
    .map(
      (e) =>
        `  - addresses:\n      - ip: ${e.ip}${e.nodeName === undefined ? '' : `\n        nodeName: ${e.nodeName}`}\n    ports:\n` +
        s.ports.map((p, i) => `      - name: ${names[i]}\n        port: ${e.port}${p.protocol === undefined ? '' : `\n        protocol: ${p.protocol}`}`).join('\n'),
    )
    .join('\n');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${s.name}
  namespace: default
${annotations === '' ? '' : `  annotations:\n${annotations}\n`}${s.created === undefined ? '' : `  creationTimestamp: "${s.created}"\n`}spec:
  type: ${s.type ?? 'LoadBalancer'}
${s.spec ?? ''}  ports:
${ports}
---
apiVersion: v1
kind: Endpoints
metadata:
  name: ${s.name}
  namespace: default
${subsets}
`;
}

/** The settings document for an address test: one pool, NodePorts on the given node addresses. */
export function addressSettings(options: { pool: readonly string[]; nodes: readonly string[]; morePools?: string; extra?: string }): string {
  return `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata:
  name: edgeway
spec:
  addresses:
    pools:
      - name: test
        addresses: [${options.pool.map((p) => JSON.stringify(p)).join(', ')}]
${options.morePools ?? ''}    nodeAddresses: [${options.nodes.map((p) => JSON.stringify(p)).join(', ')}]
${options.extra ?? ''}`;
}

/**
 * An edgeway entrypoint Service on the pool's first address, with an HTTPS entrypoint whose certificates live in
 * `dir/certs`, and an Ingress sending `site.test` `path` (Prefix) to a ClusterIP Service `app` whose one endpoint is
 * 127.0.0.1:`backendPort`.
 */
export function entrypointSite(options: {
  block: string;
  dir: string;
  entrypointPorts: readonly { port: number; name: string }[];
  appPort: number;
  backendPort: number;
  path: string;
}): string {
  const { block, dir, appPort } = options;
  return docs(
    INGRESS_CLASS,
    addressSettings({
      pool: [`${block}.0/30`],
      nodes: [`${block}.9`],
      extra: `  entrypoints:\n    https:\n      address: 127.0.0.1:0\n  tls:\n    certificatesDir: ${JSON.stringify(join(dir, 'certs'))}\n`,
    }),
    service({ name: 'edgeway', ports: options.entrypointPorts, endpoints: [], annotations: { 'edgeway.io/entrypoint': 'true' } }),
    service({ name: 'app', type: 'ClusterIP', ports: [{ port: appPort }], endpoints: [{ ip: '127.0.0.1', port: options.backendPort }] }),
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: site, namespace: default }
spec:
  rules:
    - host: site.test
      http:
        paths:
          - { path: ${options.path}, pathType: Prefix, backend: { service: { name: app, port: { number: ${appPort} } } } }
`,
  );
}

export interface Served {
  readonly edgeway: Edgeway;
  /** The lines edgeway reported (stderr for the CLI). */
  readonly reports: readonly string[];
  /** Stops it now (the teardown then does nothing). */
  stop(): Promise<void>;
}

/** edgeway in-process on `dir/config.yaml` and `dir/state`, OS-chosen entrypoint ports; stopped in teardown. */
export async function serve(t: ExecutionContext, dir: string, yaml: string): Promise<Served> {
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const reports: string[] = [];
  const edgeway = await Edgeway.start({
    configPaths: [file],
    overrides: { http: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, stateDir: join(dir, 'state'), logLevel: 'silent' },
    report: (line) => reports.push(line),
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= edgeway.close(0));
  t.teardown(stop);
  return { edgeway, reports, stop };
}

/** Connects, sends `payload`, half-closes, and collects everything until the peer ends; rejects on error. */
export function tcpExchange(host: string, port: number, payload: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.end(payload);
  });
}

/** An HTTP "pod" answering its name. */
export function pod(t: ExecutionContext, name: string, host = '127.0.0.1'): Promise<Listening> {
  return listen(
    t,
    (req, res) => {
      req.resume();
      res.end(name);
    },
    host,
  );
}

/** An HTTP "pod" answering its name at a given address and port (a "node" listening on a NodePort). */
export async function podAt(t: ExecutionContext, name: string, host: string, port: number): Promise<void> {
  const server = createHttpServer((req, res) => {
    req.resume();
    res.end(name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  t.teardown(() => closeServer(server));
}

/**
 * A TCP peer that reads until the client half-closes, then answers `<name> got <n> bytes`, followed by `extra`
 * bytes, and ends: the answer can only arrive if the FIN was passed on and the other direction stayed open.
 */
export async function halfClosePeer(t: ExecutionContext, name: string, extra = 0): Promise<{ server: TcpServer; port: number }> {
  const server = createTcpServer({ allowHalfOpen: true }, (socket: Socket) => {
    let n = 0;
    socket.on('data', (c: Buffer) => (n += c.length));
    socket.on('end', () => {
      socket.write(`${name} got ${n} bytes\n`);
      if (extra > 0) socket.write(Buffer.alloc(extra, 120));
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}
