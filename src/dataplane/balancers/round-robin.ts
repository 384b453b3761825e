/**
 * Round robin: each request goes to the next ready endpoint in order. The cursor survives endpoint churn by taking
 * the modulo of the current list, so a shrinking list never skips past its end.
 */
import type { ResolvedEndpoint } from '../../controllers/resolved-endpoint.ts';
import type { Balancer, PickContext } from './balancer.ts';

export class RoundRobin implements Balancer {
  #next = 0;

  pick(endpoints: readonly ResolvedEndpoint[], _ctx?: PickContext): number {
    const n = endpoints.length;
    if (n === 0) return -1;
    const index = this.#next % n;
    this.#next = index + 1;
    return index;
  }
}
