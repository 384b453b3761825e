/**
 * What one autocannon run measured, read from its `-j` JSON. Pure, so a change in autocannon's output shape shows up
 * as a clear error here rather than as NaN in the table.
 */

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

export function parseAutocannonJson(text: string): LoadResult {
  const data: unknown = JSON.parse(text);
  return {
    requestsPerSec: numberAt(data, ['requests', 'average']),
    latencyP50Ms: numberAt(data, ['latency', 'p50']),
    latencyP99Ms: numberAt(data, ['latency', 'p99']),
    ok2xx: numberAt(data, ['2xx']),
    non2xx: numberAt(data, ['non2xx']),
    errors: numberAt(data, ['errors']),
    timeouts: numberAt(data, ['timeouts']),
  };
}

/** A run is clean when it got at least one 2xx and nothing else: no errors, timeouts or other statuses. */
export function isClean(result: LoadResult): boolean {
  return result.ok2xx > 0 && result.non2xx === 0 && result.errors === 0 && result.timeouts === 0;
}

function numberAt(data: unknown, path: readonly string[]): number {
  let node = data;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) {
      throw new Error(`autocannon JSON has no ${path.join('.')}`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'number' || !Number.isFinite(node)) throw new Error(`autocannon JSON ${path.join('.')} is not a number`);
  return node;
}
