/**
 * One edgeway replica for the shared-state perf tool: the built bin as `edgeway serve --etcd-servers URL
 * --replica-name NAME --workers 1`, its HTTP entrypoint and admin listener on its own loopback address (127.0.0.2,
 * 127.0.0.3, ...), as three replicas on one machine are run in docs/scale-out.md. Its files hold what every replica
 * has: a default IngressClass, a MetalLB pool, a Pod on loopback (the backend) and the Service `backend` selecting it.
 * Also the small plain-HTTP client for its object API (the admin token as a bearer token, keep-alive); kubectl,
 * which sends a token only over TLS, gets a kubeconfig from `edgeway kubeconfig` instead (https, the admin CA).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { ChildProcesses, ManagedChild } from './child-processes.ts';
import { waitForStatus } from './wait-http.ts';

export const REPLICA_TOKEN = 'perf-replica-token-0123456789';

export interface ReplicaProcess {
  readonly name: string;
  readonly address: string;
  /** `http://ADDRESS:PORT` of the HTTP entrypoint (send a Host header). */
  readonly url: string;
  /** `http://ADDRESS:PORT` of the admin listener (plain HTTP; the object API, /config/status). */
  readonly admin: string;
  /** `ADDRESS:PORT` of the admin listener, for `edgeway kubeconfig --admin`. */
  readonly adminAt: string;
  readonly config: string;
  readonly stateDir: string;
  /** The replica's log (its stdout: JSON lines, `configuration reloaded` with `ms` among them). */
  readonly log: string;
  readonly child: ManagedChild;
}

export interface ReplicaInput {
  readonly cli: string;
  readonly name: string;
  readonly address: string;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly etcd: string;
  /** This replica's own directory (config file and state dir go in it). */
  readonly dir: string;
  readonly backendPort: number;
  /** The MetalLB pool, e.g. `127.240.0.0/21`. */
  readonly pool: string;
}

/** The files every replica has (identical on all of them, so they never disagree). */
export function replicaConfig(backendPort: number, pool: string): string {
  return `apiVersion: edgeway.io/v1alpha1
kind: EdgewaySettings
metadata: {name: edgeway}
spec:
  reload: {watch: false}
  admin: {token: ${REPLICA_TOKEN}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: edgeway
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: edgeway.io/ingress-controller}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: perf, namespace: metallb-system}
spec:
  addresses: ['${pool}']
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: default, labels: {app: backend}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: ${backendPort}}]}]
status:
  podIP: 127.0.0.1
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec:
  selector: {app: backend}
  ports: [{name: http, port: 80, targetPort: http}]
`;
}

/** Writes the replica's config, starts it and resolves once its /readyz answers 200. */
export async function startReplicaProcess(procs: ChildProcesses, input: ReplicaInput, readyMs = 60_000): Promise<ReplicaProcess> {
  await mkdir(input.dir, { recursive: true });
  const config = join(input.dir, 'config.yaml');
  const stateDir = join(input.dir, 'state');
  await writeFile(config, replicaConfig(input.backendPort, input.pool));
  const args = [
    input.cli,
    'serve',
    '--workers',
    '1',
    '--config',
    config,
    '--http',
    `${input.address}:${input.httpPort}`,
    '--admin',
    `${input.address}:${input.adminPort}`,
    '--state-dir',
    stateDir,
    '--etcd-servers',
    input.etcd,
    '--replica-name',
    input.name,
    '--drain-timeout',
    '1',
  ];
  const log = join(input.dir, 'edgeway.log');
  const child = procs.start(input.name, process.execPath, args, { stdout: 'pipe' });
  child.process.stdout?.pipe(createWriteStream(log));
  const adminAt = `${input.address}:${input.adminPort}`;
  const admin = `http://${adminAt}`;
  await waitForStatus(`${admin}/readyz`, 200, readyMs, child);
  return { name: input.name, address: input.address, url: `http://${input.address}:${input.httpPort}`, admin, adminAt, config, stateDir, log, child };
}

/** Keep-alive connections to the replicas' admin listeners (many concurrent creations share them). */
export const apiAgent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

/** One request to a replica's admin listener with the token, JSON body; never throws (status 0 on a transport error). */
export function replicaApi(replica: ReplicaProcess, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { authorization: `Bearer ${REPLICA_TOKEN}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${replica.admin}${path}`, { method, agent: apiAgent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
