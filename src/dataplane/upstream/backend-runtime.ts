/**
 * Runtime state of one backend (a Service port) that outlives snapshots: requests in flight and waiting for a
 * connection (for the circuit limits) and the retry budget. Kept by backend key in the data plane; a reload keeps the
 * counts of backends it does not remove.
 */
import type { Settings } from '../../config/settings.ts';
import { RetryBudget } from './retry-budget.ts';

export class BackendRuntime {
  /** Requests admitted and not yet finished (including retries in progress). */
  active = 0;
  /** Dispatched to a pool and not yet on a connection. */
  pending = 0;
  readonly budget: RetryBudget;

  constructor(settings: Settings) {
    this.budget = new RetryBudget(budgetOptions(settings));
  }

  configure(settings: Settings): void {
    this.budget.configure(budgetOptions(settings));
  }
}

function budgetOptions(settings: Settings): { ratio: number; windowMs: number; minRetries: number } {
  const r = settings.retries;
  return { ratio: r.budgetRatio, windowMs: r.budgetWindowMs, minRetries: r.budgetMinRetries };
}
