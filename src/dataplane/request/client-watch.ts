/**
 * The clock for slow clients: bodies that stop arriving (`downstream.bodyTimeout`), HTTP/2 requests past
 * `downstream.requestTimeout` (node:http enforces it for HTTP/1.1 itself), and responses a client does not read
 * (`downstream.sendTimeout`). One coarse periodic sweep looks at everything watched instead of a timer per request,
 * and runs only while something is watched: requests without a body, and responses the client reads as fast as they
 * come, never enter it. A timeout is noticed between its deadline and the deadline plus SWEEP_MS.
 */
import { PeriodicSweep } from './periodic-sweep.ts';

/** How often the sweep looks; well inside the one second of slack the timeouts promise. */
export const CLIENT_SWEEP_MS = 250;

/** What the sweep asks of a watched request or response. */
export interface ClientWatched {
  /**
   * One look at `now` (performance.now()); returns true when watching can stop (body complete, response drained,
   * request over, or it was just failed for a timeout).
   */
  checkClient(now: number): boolean;
}

/** The sweep of request bodies and unread responses of slow clients. */
export class ClientWatch extends PeriodicSweep<ClientWatched> {
  constructor() {
    super(CLIENT_SWEEP_MS, checkClient);
  }
}

function checkClient(item: ClientWatched, now: number): boolean {
  return item.checkClient(now);
}
