/** The pure parts of the worker processes: how many, and each worker's share of a Service's limits. */
import test from 'ava';
import { limitShare } from '../../src/workers/limit-share.ts';
import { parseWorkers, resolveWorkerCount } from '../../src/workers/worker-count.ts';

test('worker count: auto is one per CPU, a number is itself', (t) => {
  t.is(resolveWorkerCount('auto', 16), 16);
  t.is(resolveWorkerCount('auto', 0), 1);
  t.is(resolveWorkerCount(3, 16), 3);
  t.is(parseWorkers('auto'), 'auto');
  t.is(parseWorkers('4'), 4);
  for (const bad of ['0', '-1', '1.5', 'two', '', '1025']) t.is(parseWorkers(bad), undefined, bad);
});

test('limit shares add up to the limit exactly when it is at least the number of workers', (t) => {
  for (const [limit, workers] of [
    [100, 4],
    [101, 4],
    [7, 3],
    [2, 2],
    [1024, 16],
  ] as const) {
    const shares = Array.from({ length: workers }, (_, i) => limitShare(limit, i, workers));
    t.is(
      shares.reduce((a, b) => a + b, 0),
      limit,
      `${limit} over ${workers}`,
    );
    t.true(Math.max(...shares) - Math.min(...shares) <= 1);
  }
});

test('a limit below the number of workers gives each worker 1; 0 stays 0; one worker keeps it all', (t) => {
  t.deepEqual(
    [0, 1, 2, 3].map((i) => limitShare(2, i, 4)),
    [1, 1, 1, 1],
  );
  t.is(limitShare(0, 1, 4), 0);
  t.is(limitShare(100, 0, 1), 100);
});
