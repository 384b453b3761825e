/** The primary pushes active-check verdicts to its workers when one changes: once per change, never for a repeat. */
import test from 'ava';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { applyVerdicts, watchVerdicts, type HealthVerdict } from '../../src/workers/health-verdicts.ts';

const outlier = { enabled: false, consecutiveFailures: 5, baseEjectionMs: 30_000, maxEjectionMs: 300_000, maxEjectionPercent: 50 };

/** Resolves after the current turn of the event loop, when a coalesced send has gone out. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a changed verdict is sent once, an unchanged check sends nothing', async (t) => {
  const states = new EndpointStates(outlier);
  const sent: HealthVerdict[][] = [];
  const stop = watchVerdicts(states, (v) => sent.push(v));
  const a = states.state('http://127.0.0.1:1');

  a.checked(true, '200', 1, 1);
  await turn();
  t.deepEqual(sent, [[['http://127.0.0.1:1', true, '200']]], 'the first verdict');

  a.checked(true, '200', 1, 1);
  a.checked(true, '200', 1, 1);
  await turn();
  t.is(sent.length, 1, 'checks that confirm the verdict send nothing');

  a.checked(false, '500', 1, 2);
  await turn();
  t.is(sent.length, 1, 'a failure below the threshold is no new verdict');

  a.checked(false, '500', 1, 2);
  await turn();
  t.deepEqual(sent.at(-1), [['http://127.0.0.1:1', false, '500']]);
  t.is(sent.length, 2);

  stop();
  states.dispose();
});

test('changes in one turn go out as one message; stopping drops a pending one', async (t) => {
  const states = new EndpointStates(outlier);
  const sent: HealthVerdict[][] = [];
  const stop = watchVerdicts(states, (v) => sent.push(v));
  const a = states.state('http://127.0.0.1:1');
  const b = states.state('http://127.0.0.1:2');
  a.checked(false, 'ECONNREFUSED', 1, 1);
  b.checked(true, '200', 1, 1);
  await turn();
  t.deepEqual(sent, [
    [
      ['http://127.0.0.1:1', false, 'ECONNREFUSED'],
      ['http://127.0.0.1:2', true, '200'],
    ],
  ]);

  // An endpoint that loses its check is a change too: the list leaves it out, and a worker forgets its verdict.
  a.clearActive();
  await turn();
  t.deepEqual(sent.at(-1), [['http://127.0.0.1:2', true, '200']]);
  const worker = new EndpointStates(outlier);
  worker.state('http://127.0.0.1:1').verdict(false, 'ECONNREFUSED');
  worker.state('http://127.0.0.1:2');
  applyVerdicts(worker, sent.at(-1)!);
  t.true(worker.get('http://127.0.0.1:1')!.activeHealthy);
  t.false(worker.get('http://127.0.0.1:1')!.activeChecked);
  t.true(worker.get('http://127.0.0.1:2')!.activeChecked);

  b.checked(false, '500', 1, 1);
  stop();
  await turn();
  t.is(sent.length, 2, 'nothing is sent after stop');
  states.dispose();
  worker.dispose();
});
