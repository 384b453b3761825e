/**
 * The narrow hook through which the proxy exchange reports what happened to an upstream request, so that balancing
 * (in-flight counts, latency) and passive outlier detection learn from real traffic. The exchange calls
 * `upstreamHeaders` or `upstreamFailed` at most once, then `upstreamDone` exactly once.
 */
import type { Code } from '../../errors.ts';

export interface UpstreamObserver {
  /** Response headers arrived at `now`; both times are performance.now() readings, `started` of the dispatch. */
  upstreamHeaders(status: number, started: number, now: number): void;
  /** The request failed before any response (connect failure, reset, timeout); not called when the client left. */
  upstreamFailed(code: Code): void;
  /** The exchange is over, either way. */
  upstreamDone(): void;
}
