/**
 * Address scenarios (group `addresses`): the same backend reached through the Ingress path (`ingress-path`) and
 * through a LoadBalancer IP whose port has `appProtocol: http` (`lb-http`), which should be equal within noise since
 * both run the same HTTP entrypoint code; and a 1 MiB response through a plain-TCP LoadBalancer port (`l4-edgeway`,
 * byte pass-through) against the backend directly (`l4-direct`), compared in MB/s.
 *
 * The LoadBalancer IP comes from a pool of its own on loopback (127.250.0.0/24), so a bench never takes addresses
 * a test run on the same machine might use.
 */
import { freePort } from '../free-port.ts';
import type { Scenario, StartContext } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';

export const L4_BODY = 1024 * 1024;
const LB_IP = '127.250.0.1';

function lbDocs(ctx: StartContext, port: number, appProtocol: string | undefined): object[] {
  return [
    {
      apiVersion: 'edgeway.io/v1alpha1',
      kind: 'EdgewaySettings',
      metadata: { name: 'bench' },
      spec: { addresses: { pools: [{ name: 'bench', addresses: ['127.250.0.0/24'], avoidBuggyIPs: true }], nodeAddresses: ['127.250.1.1'] } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'bench' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'web', port, protocol: 'TCP', ...(appProtocol === undefined ? {} : { appProtocol }) }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'lb', namespace: 'bench' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'web', port: ctx.backendPort, protocol: 'TCP' }] }],
    },
  ];
}

async function startLb(ctx: StartContext, appProtocol: string | undefined) {
  const port = await freePort();
  return startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST, extraDocs: lbDocs(ctx, port, appProtocol), target: { host: LB_IP, port } });
}

export const ingressPathScenario: Scenario = {
  name: 'ingress-path',
  group: 'addresses',
  bodySizes: BODY_SIZES,
  availability: edgewayAvailability,
  start: (ctx) => startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST }),
};

export const lbHttpScenario: Scenario = {
  name: 'lb-http',
  group: 'addresses',
  bodySizes: BODY_SIZES,
  availability: edgewayAvailability,
  start: (ctx) => startLb(ctx, 'http'),
};

export const l4DirectScenario: Scenario = {
  name: 'l4-direct',
  group: 'addresses',
  bodySizes: [L4_BODY],
  start: async (ctx) => ({ url: `http://127.0.0.1:${ctx.backendPort}/`, host: BENCH_HOST, facts: {}, stop: async () => {} }),
};

export const l4EdgewayScenario: Scenario = {
  name: 'l4-edgeway',
  group: 'addresses',
  bodySizes: [L4_BODY],
  availability: edgewayAvailability,
  start: (ctx) => startLb(ctx, undefined),
};
