/** Each policy's own behaviour, beyond the shared suite. Pure: candidate sets with loads set by hand. */
import test from 'ava';
import { hash32, requestHash } from '../../src/dataplane/balancers/hash-key.ts';
import { LeastRequest } from '../../src/dataplane/balancers/least-request.ts';
import { buildTable, Maglev } from '../../src/dataplane/balancers/maglev.ts';
import { PeakEwma } from '../../src/dataplane/balancers/peak-ewma.ts';
import { RingHash } from '../../src/dataplane/balancers/ring-hash.ts';
import { RoundRobin } from '../../src/dataplane/balancers/round-robin.ts';
import { cookieValue } from '../../src/routing/cookie-value.ts';
import { candidates, counts, ctxFor } from '../fixtures/balancers-fixtures.ts';

test('round-robin: equal weights go strictly in order, and a shrinking set never skips past its end', (t) => {
  const rr = new RoundRobin();
  const { set } = candidates([1, 1, 1]);
  t.deepEqual(
    Array.from({ length: 7 }, () => rr.pick(set, ctxFor(0))),
    [0, 1, 2, 0, 1, 2, 0],
  );
  t.is(rr.pick(candidates([1]).set, ctxFor(0)), 0);
});

test('round-robin: weights 3:1 interleave (no run longer than the weight) and are exact over a cycle multiple', (t) => {
  const rr = new RoundRobin();
  const { set } = candidates([3, 1]);
  const picks = Array.from({ length: 400 }, () => rr.pick(set, ctxFor(0)));
  const [a, b] = counts(2, picks);
  t.true(Math.abs(a! - 300) <= 4 && Math.abs(b! - 100) <= 4, `${a}:${b}`);
  let run = 0;
  let longest = 0;
  for (const p of picks) longest = Math.max(longest, (run = p === 1 ? run + 1 : 0));
  t.true(longest <= 1, 'the light endpoint is never picked twice in a row');
});

test('least-request: of two endpoints, the one with fewer requests in flight wins', (t) => {
  const lr = new LeastRequest();
  const { set } = candidates([{ inFlight: 10 }, { inFlight: 0 }]);
  for (let i = 0; i < 100; i++) t.is(lr.pick(set, ctxFor(i)), 1);
});

test('least-request: with a busy endpoint among three, it gets only the picks where both samples are it (none)', (t) => {
  const lr = new LeastRequest();
  const { set } = candidates([{ inFlight: 50 }, { inFlight: 0 }, { inFlight: 0 }]);
  const picks = Array.from({ length: 3000 }, (_, i) => lr.pick(set, ctxFor(i)));
  t.is(counts(3, picks)[0], 0);
});

test('least-request: in-flight counts are compared per unit of weight', (t) => {
  const lr = new LeastRequest();
  // 4 in flight on weight 4 is lighter than 2 on weight 1.
  const { set } = candidates([
    { weight: 1, inFlight: 2 },
    { weight: 4, inFlight: 4 },
  ]);
  for (let i = 0; i < 100; i++) t.is(lr.pick(set, ctxFor(i)), 1);
});

test('ewma: the endpoint with the lower latency estimate wins; unmeasured ones cost as much as the fastest', (t) => {
  const ewma = new PeakEwma();
  const slow = candidates([{ ewmaMs: 200 }, { ewmaMs: 5 }]).set;
  for (let i = 0; i < 100; i++) t.is(ewma.pick(slow, ctxFor(i)), 1);
  // An unmeasured endpoint ties with the measured one: both keep getting picks, so it gets measured.
  const fresh = candidates([{ ewmaMs: 200 }, { ewmaMs: 0 }]).set;
  const c = counts(
    2,
    Array.from({ length: 400 }, (_, i) => ewma.pick(fresh, ctxFor(i))),
  );
  t.true(c[0]! > 100 && c[1]! > 100, `${c}`);
  // Latency times load: 5 ms with 100 in flight costs more than 200 ms idle.
  const busy = candidates([{ ewmaMs: 200 }, { ewmaMs: 5, inFlight: 100 }]).set;
  for (let i = 0; i < 100; i++) t.is(ewma.pick(busy, ctxFor(i)), 0);
});

test('ewma: an estimate left alone decays, so an endpoint avoided for being slow is tried again', (t) => {
  const ewma = new PeakEwma();
  const { set, loads } = candidates([{ ewmaMs: 200 }, { ewmaMs: 5 }]);
  loads[0]!.ewmaAt = performance.now() - 60_000;
  loads[1]!.ewmaAt = performance.now() + 1e9;
  // 200 ms a minute ago has decayed below 5 ms.
  for (let i = 0; i < 50; i++) t.is(ewma.pick(set, ctxFor(i)), 0);
});

test('ring-hash and maglev: header, cookie and client-ip keys; a missing header falls back to the client address', (t) => {
  t.is(requestHash({ kind: 'header', name: 'x-user' }, { clientIp: '1.2.3.4', headers: { 'x-user': 'alice' } }), hash32('alice'));
  t.is(requestHash({ kind: 'cookie', name: 'session' }, { clientIp: '1.2.3.4', headers: { cookie: 'a=1; session=xyz; b=2' } }), hash32('xyz'));
  t.is(requestHash({ kind: 'header', name: 'x-user' }, { clientIp: '1.2.3.4', headers: {} }), hash32('1.2.3.4'));
  t.is(requestHash({ kind: 'client-ip' }, { clientIp: '1.2.3.4' }), hash32('1.2.3.4'));
  for (const Policy of [RingHash, Maglev]) {
    const b = new Policy({ hashOn: { kind: 'cookie', name: 'session' } });
    const { set } = candidates([1, 1, 1]);
    const one = b.pick(set, { clientIp: '10.0.0.1', headers: { cookie: 'session=abc' } });
    t.is(b.pick(set, { clientIp: '10.9.9.9', headers: { cookie: 'x=y; session=abc' } }), one);
  }
});

test('cookieValue: finds exact names only', (t) => {
  t.is(cookieValue('session=1', 'session'), '1');
  t.is(cookieValue('xsession=1; session=2', 'session'), '2');
  t.is(cookieValue('a=1;session= 3 ', 'session'), '3');
  t.is(cookieValue('a=1', 'session'), undefined);
  t.is(cookieValue(undefined, 'session'), undefined);
});

test('maglev: the table is full and shares follow weights to within 1%', (t) => {
  const { set } = candidates([1, 3]);
  const table = buildTable(set, 5003);
  const c = counts(2, [...table]);
  t.is(c[0]! + c[1]!, 5003);
  t.true(Math.abs(c[0]! / 5003 - 0.25) < 0.01, `${c[0]! / 5003}`);
});
