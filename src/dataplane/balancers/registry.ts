/** Balancing policies by name; later policies register here. */
import type { BalancerFactory } from './balancer.ts';
import { RoundRobin } from './round-robin.ts';

export const BALANCERS: ReadonlyMap<string, BalancerFactory> = new Map([['round-robin', () => new RoundRobin()]]);

export const DEFAULT_BALANCER = 'round-robin';
