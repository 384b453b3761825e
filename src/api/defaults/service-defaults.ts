/**
 * The defaults the API server fills into a Service on create, so `kubectl get -o yaml` shows a complete object:
 * type ClusterIP, sessionAffinity None, each port's protocol TCP and targetPort equal to its port, the traffic
 * policies Cluster, allocateLoadBalancerNodePorts for LoadBalancers, and a single-stack IP family for Services that
 * get a cluster IP. Works on a private copy the caller owns.
 */
import { isIP } from 'node:net';
import { ensureRecord, isRecord, type MutableRecord } from './records.ts';

const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

export function defaultService(object: MutableRecord): void {
  const spec = ensureRecord(object, 'spec');
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  const type = spec['type'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const config = ensureRecord(spec, 'sessionAffinityConfig');
    const clientIP = ensureRecord(config, 'clientIP');
    clientIP['timeoutSeconds'] ??= DEFAULT_CLIENT_IP_TIMEOUT_SECONDS;
  }
  if (Array.isArray(spec['ports'])) {
    for (const port of spec['ports']) {
      if (!isRecord(port)) continue;
      port['protocol'] ??= 'TCP';
      if (port['targetPort'] === undefined || port['targetPort'] === 0 || port['targetPort'] === '') port['targetPort'] = port['port'];
    }
  }
  if (type === 'ExternalName') return;
  spec['internalTrafficPolicy'] ??= 'Cluster';
  if (type === 'NodePort' || type === 'LoadBalancer') spec['externalTrafficPolicy'] ??= 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] ??= true;
  // A headless Service without a selector gets no IP families from the API server; every other one gets one.
  const headless = spec['clusterIP'] === 'None';
  if (headless && spec['selector'] === undefined) return;
  spec['ipFamilyPolicy'] ??= 'SingleStack';
  if (spec['ipFamilies'] === undefined) {
    const ip = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
    spec['ipFamilies'] = [isIP(ip) === 6 ? 'IPv6' : 'IPv4'];
  }
}
