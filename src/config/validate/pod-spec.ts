/**
 * The parts of a PodSpec edgeway reads — containers, their ports and readiness probes — shared by Pods and by
 * Deployment templates. Port names matter because Services refer to them as named targetPorts.
 */
import type { Shape } from './known-fields.ts';
import { dns1123Label, ianaServiceName, ipAddress } from './names.ts';
import { checkPortNames, portNumber, portNumberOrName, protocol } from './ports.ts';
import type { FieldPath, Report } from './report.ts';
import { check, child, isAbsent, list, mapping, string } from './values.ts';

const PROBE_SHAPE: Shape = {
  httpGet: { path: null, port: null, host: null, scheme: null, httpHeaders: null },
  tcpSocket: { port: null, host: null },
  grpc: null,
  exec: null,
  initialDelaySeconds: null,
  timeoutSeconds: null,
  periodSeconds: null,
  successThreshold: null,
  failureThreshold: null,
  terminationGracePeriodSeconds: null,
};

const CONTAINER_SHAPE: Shape = {
  name: null,
  image: null,
  imagePullPolicy: null,
  command: null,
  args: null,
  workingDir: null,
  ports: { name: null, containerPort: null, hostPort: null, hostIP: null, protocol: null },
  env: null,
  envFrom: null,
  resources: null,
  resizePolicy: null,
  restartPolicy: null,
  restartPolicyRules: null,
  volumeMounts: null,
  volumeDevices: null,
  livenessProbe: PROBE_SHAPE,
  readinessProbe: PROBE_SHAPE,
  startupProbe: PROBE_SHAPE,
  lifecycle: null,
  securityContext: null,
  stdin: null,
  stdinOnce: null,
  tty: null,
  terminationMessagePath: null,
  terminationMessagePolicy: null,
};

export const POD_SPEC_SHAPE: Shape = {
  containers: CONTAINER_SHAPE,
  initContainers: CONTAINER_SHAPE,
  ephemeralContainers: null,
  activeDeadlineSeconds: null,
  affinity: null,
  automountServiceAccountToken: null,
  dnsConfig: null,
  dnsPolicy: null,
  enableServiceLinks: null,
  hostAliases: null,
  hostIPC: null,
  hostNetwork: null,
  hostPID: null,
  hostUsers: null,
  hostname: null,
  hostnameOverride: null,
  imagePullSecrets: null,
  nodeName: null,
  nodeSelector: null,
  os: null,
  overhead: null,
  preemptionPolicy: null,
  priority: null,
  priorityClassName: null,
  readinessGates: null,
  resourceClaims: null,
  resources: null,
  restartPolicy: null,
  runtimeClassName: null,
  schedulerName: null,
  schedulingGates: null,
  securityContext: null,
  serviceAccount: null,
  serviceAccountName: null,
  setHostnameAsFQDN: null,
  shareProcessNamespace: null,
  subdomain: null,
  terminationGracePeriodSeconds: null,
  tolerations: null,
  topologySpreadConstraints: null,
  volumes: null,
};

export function validatePodSpec(r: Report, value: unknown, path: FieldPath): void {
  const spec = mapping(r, value, path);
  if (spec === undefined) {
    r.error('EW_FIELD_REQUIRED', path, 'is required: a pod spec with at least one container');
    return;
  }
  const containers = list(r, spec['containers'], [...path, 'containers']);
  if (containers.length === 0) r.error('EW_FIELD_REQUIRED', [...path, 'containers'], 'must list at least one container');
  const containerNames = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    list(r, spec[field], [...path, field]).forEach((c, i) => validateContainer(r, c, [...path, field, i], containerNames));
  }
  check(r, string(r, spec['hostname'], [...path, 'hostname']), [...path, 'hostname'], dns1123Label);
  check(r, string(r, spec['subdomain'], [...path, 'subdomain']), [...path, 'subdomain'], dns1123Label);
}

function validateContainer(r: Report, value: unknown, at: FieldPath, names: Set<string>): void {
  if (mapping(r, value, at) === undefined) return;
  const name = string(r, child(value, 'name'), [...at, 'name']);
  if (name === undefined || name === '') r.error('EW_FIELD_REQUIRED', [...at, 'name'], 'is required: give each container a name');
  check(r, name, [...at, 'name'], dns1123Label);
  if (name !== undefined && names.has(name))
    r.error('EW_FIELD_INVALID', [...at, 'name'], `${JSON.stringify(name)} is the name of another container: container names must be unique`);
  if (name !== undefined) names.add(name);

  const ports = list(r, child(value, 'ports'), [...at, 'ports']);
  const portNames = ports.map((p, i) => {
    const pat = [...at, 'ports', i];
    if (mapping(r, p, pat) === undefined) return undefined;
    if (isAbsent(child(p, 'containerPort')))
      r.error('EW_FIELD_REQUIRED', [...pat, 'containerPort'], 'is required: the port number the container listens on (1–65535)');
    portNumber(r, child(p, 'containerPort'), [...pat, 'containerPort']);
    portNumber(r, child(p, 'hostPort'), [...pat, 'hostPort'], 0);
    check(r, string(r, child(p, 'hostIP'), [...pat, 'hostIP']) || undefined, [...pat, 'hostIP'], ipAddress);
    protocol(r, child(p, 'protocol'), [...pat, 'protocol']);
    return string(r, child(p, 'name'), [...pat, 'name']);
  });
  checkPortNames(r, portNames, (i) => [...at, 'ports', i, 'name'], ianaServiceName, false);

  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const p = mapping(r, child(value, probe), [...at, probe]);
    const httpGet = mapping(r, child(p, 'httpGet'), [...at, probe, 'httpGet']);
    if (httpGet !== undefined) probePort(r, httpGet['port'], [...at, probe, 'httpGet', 'port']);
    const tcp = mapping(r, child(p, 'tcpSocket'), [...at, probe, 'tcpSocket']);
    if (tcp !== undefined) probePort(r, tcp['port'], [...at, probe, 'tcpSocket', 'port']);
  }
}

function probePort(r: Report, value: unknown, path: FieldPath): void {
  if (isAbsent(value)) r.error('EW_FIELD_REQUIRED', path, 'is required: a port number or the name of a container port');
  portNumberOrName(r, value, path);
}
