/**
 * For a test file that has been seen to stay alive after its tests (ava then reports "Failed to exit"): if the
 * process is still running some seconds after the last test and its teardowns, print what keeps it alive (sockets
 * with their addresses, servers, timers), so the next occurrence names the leak. The check's own timer is unref'd:
 * a file that exits normally prints nothing.
 */
import type { TestFn } from 'ava';

const GRACE_MS = 10_000;

interface HandleLike {
  readonly constructor: { readonly name: string };
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly destroyed?: boolean;
  /** Servers: where they listen. */
  address?(): unknown;
}

function describe(h: HandleLike): string {
  if (h.constructor.name === 'Server' && typeof h.address === 'function') return `Server listening on ${JSON.stringify(h.address())}`;
  return `${h.constructor.name} ${h.localAddress ?? ''}:${h.localPort ?? ''} -> ${h.remoteAddress ?? ''}:${h.remotePort ?? ''}${h.destroyed === true ? ' (destroyed)' : ''}`;
}

export function reportHandlesLeftAfterAll(test: TestFn): void {
  test.after.always(() => {
    setTimeout(() => {
      const handles = (process as unknown as { _getActiveHandles(): HandleLike[] })._getActiveHandles();
      const lines = handles.map(describe);
      process.stderr.write(`still alive ${GRACE_MS} ms after the last test: ${process.getActiveResourcesInfo().join(', ')}\n  ${lines.join('\n  ')}\n`);
    }, GRACE_MS).unref();
  });
}
