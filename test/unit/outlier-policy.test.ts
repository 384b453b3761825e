/** Outlier detection arithmetic and the endpoint state machine, without sockets. */
import test from 'ava';
import { EndpointStates } from '../../src/dataplane/health/endpoint-states.ts';
import { ejectionMs, mayEject, priorEjections, type OutlierSettings } from '../../src/dataplane/health/outlier-policy.ts';

const s: OutlierSettings = { enabled: true, consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 3500, maxEjectionPercent: 50 };

test('ejection time grows base × count and is capped', (t) => {
  t.deepEqual(
    [0, 1, 2, 3, 10].map((n) => ejectionMs(n, s)),
    [1000, 2000, 3000, 3500, 3500],
  );
});

test('at most maxEjectionPercent of endpoints are ejected, but always one may be (never the only one)', (t) => {
  const rows: [number, number, boolean][] = [
    [0, 1, false],
    [0, 2, true],
    [1, 2, false],
    [0, 3, true],
    [1, 3, false],
    [1, 4, true],
    [2, 4, false],
    [4, 10, true],
    [5, 10, false],
  ];
  for (const [ejected, total, want] of rows) t.is(mayEject(ejected, total, s), want, `${ejected}/${total}`);
});

test('the ejection count is forgotten after the endpoint stays in for the maximum ejection time', (t) => {
  t.is(priorEjections(2, 1000, 2000, s), 2);
  t.is(priorEjections(2, 1000, 1000 + 3500, s), 0);
});

test('endpoint state: failures in a row reach the threshold, a success resets the run; active checks use thresholds', (t) => {
  const states = new EndpointStates(s);
  const e = states.state('http://127.0.0.1:1');
  t.false(e.failed(s));
  e.succeeded();
  t.false(e.failed(s));
  t.false(e.failed(s));
  t.true(e.failed(s));
  const before = states.version;
  e.eject(Date.now(), s);
  t.true(e.ejected(Date.now()));
  t.false(e.healthy(Date.now()));
  t.is(states.version, before + 1);
  t.is(e.ejections, 1);

  const f = states.state('http://127.0.0.1:2');
  f.checked(false, '500', 2, 2);
  t.true(f.activeHealthy, 'one failure of two needed');
  f.checked(false, '500', 2, 2);
  t.false(f.activeHealthy);
  f.checked(true, '200', 2, 2);
  t.false(f.activeHealthy, 'one success of two needed');
  f.checked(true, '200', 2, 2);
  t.true(f.activeHealthy);
  states.dispose();
});
