/**
 * The send timeout (nginx's `proxy_send_timeout`): how long the upstream may go without taking another write of the
 * request body. Only requests on routes with `proxy-send-timeout` are watched, and by one coarse periodic sweep
 * rather than a timer per request: each sweep looks at how many body bytes the exchange has handed to undici since
 * the previous sweep. The clock of a stall runs only while undici holds the body paused — its socket write buffer is
 * full because the upstream does not read — so a client that is slow to upload is never blamed on the upstream
 * (the downstream idle timeout covers that). The sweep runs only while something is watched.
 */
import { PeriodicSweep } from './periodic-sweep.ts';

/** How often the sweep looks; a stall is noticed between the timeout and the timeout plus this. */
export const SWEEP_MS = 100;

/** What the sweep asks of a watched exchange. */
export interface SendWatched {
  /**
   * One look at the exchange's upload at `now` (performance.now()); returns true when watching can stop (body
   * complete, request over, or the exchange was just failed for a stall).
   */
  checkSend(now: number): boolean;
}

/** Where a watched upload stands at one sweep; pure, tested as a table. */
export type SendVerdict = 'progress' | 'waiting' | 'stalled';

/**
 * @param progressed body bytes went to undici since the last sweep
 * @param paused undici holds the body paused (the upstream's socket does not drain)
 * @param stalledSinceMs when the current stall began (the last sweep that saw progress or an unpaused body)
 */
export function sendVerdict(progressed: boolean, paused: boolean, stalledSinceMs: number, now: number, timeoutMs: number): SendVerdict {
  if (progressed || !paused) return 'progress';
  return now - stalledSinceMs >= timeoutMs ? 'stalled' : 'waiting';
}

/** The sweep of exchanges uploading on routes with a send timeout. */
export class SendWatch extends PeriodicSweep<SendWatched> {
  constructor() {
    super(SWEEP_MS, checkSend);
  }
}

function checkSend(exchange: SendWatched, now: number): boolean {
  return exchange.checkSend(now);
}
