/**
 * Routing-scale scenarios: edgeway with 10 and with 10,000 Ingress host rules (`h<i>.bench.local`, all to the same
 * backend), loaded on the host in the middle of each table. Host lookup should not depend on table size, so the
 * bar is the large table within 5% of the small one's req/s; compile time is reported beside it.
 */

import type { Scenario } from '../scenario.ts';
import { middleHost, routingHosts } from './edgeway-config.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';

export const ROUTING_SMALL = 10;
export const ROUTING_LARGE = 10_000;
/** The large table may be at most this much slower. */
export const ROUTING_BAR = 0.05;

export function routingScenarioName(hosts: number): string {
  return `edgeway-${hosts}-hosts`;
}

export function routingScenario(hosts: number): Scenario {
  const table = routingHosts(hosts);
  return {
    name: routingScenarioName(hosts),
    group: 'routing',
    bodySizes: [11],
    availability: edgewayAvailability,
    start: (ctx) => startEdgeway(ctx, { hosts: table, loadHost: middleHost(hosts) }),
  };
}
