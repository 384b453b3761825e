/**
 * The primary's ticket key ring and the worker's handler of its messages (ticket-key-share.ts), without processes:
 * each pair crosses v8's serializer as it crosses the workers' IPC (`serialization: 'advanced'`). Rotation is driven
 * through `rotate`, never by waiting for the hourly timer. The same keys across real worker processes are
 * test/e2e/workers-tls.test.ts.
 */
import test from 'ava';
import { deserialize, serialize } from 'node:v8';
import { TicketKeyRing, newTicketKey, type TicketKeyPair } from '../../src/tls/ticket-keys.ts';
import { TicketKeyFollower, TicketKeyShare } from '../../src/workers/ticket-key-share.ts';
import type { ToWorker } from '../../src/workers/worker-protocol.ts';

/** A message as a worker receives it. */
function overIpc(keys: TicketKeyPair): ToWorker {
  return deserialize(serialize({ type: 'ticket-keys', keys } satisfies ToWorker)) as ToWorker;
}

/** A worker: its handler and the ring its listeners would serve. */
function worker(): { readonly follower: TicketKeyFollower; readonly ring: TicketKeyRing; deliver(m: ToWorker): void } {
  const follower = new TicketKeyFollower();
  const ring = new TicketKeyRing();
  return {
    follower,
    ring,
    deliver: (m) => {
      if (m.type === 'ticket-keys') follower.receive(m.keys);
    },
  };
}

const name = (key: Buffer): Buffer => key.subarray(0, 16);

test('every worker gets the pair at fork and after each rotation; tickets of the last two keys open everywhere', (t) => {
  const workers = [worker(), worker()];
  const share = new TicketKeyShare((keys) => {
    for (const w of workers) w.deliver(overIpc(keys));
  });
  for (const w of workers) {
    w.deliver(overIpc(share.keys));
    w.follower.attach({ useTicketKeys: (k) => w.ring.install(k) });
  }
  const first = share.keys.current;
  for (const w of workers) {
    t.true(Buffer.isBuffer(w.ring.keys.current), 'keys cross the IPC as Buffers');
    t.true(w.ring.keys.current.equals(first));
    t.is(w.ring.keyNamed(name(first)), 'current');
  }
  share.rotate();
  const second = share.keys.current;
  t.false(second.equals(first));
  for (const w of workers) {
    t.is(w.ring.keyNamed(name(second)), 'current');
    t.is(w.ring.keyNamed(name(first)), 'previous', 'a ticket issued just before the rotation still opens');
  }
  share.rotate();
  for (const w of workers) t.is(w.ring.keyNamed(name(first)), null, 'two rotations old: a full handshake');
});

test('a worker forked after rotations (a restart) starts with the current pair, previous key included', (t) => {
  const share = new TicketKeyShare(() => undefined);
  const before = share.keys.current;
  share.rotate();
  const w = worker();
  w.deliver(overIpc(share.keys));
  w.follower.attach({ useTicketKeys: (k) => w.ring.install(k) });
  t.true(w.ring.keys.current.equals(share.keys.current));
  t.is(w.ring.keyNamed(name(before)), 'previous');
});

test('the follower keeps the last pair until its listeners exist, then passes every pair on at once', (t) => {
  const follower = new TicketKeyFollower();
  const installed: TicketKeyPair[] = [];
  const a = { current: newTicketKey(), previous: newTicketKey() };
  const b = { current: newTicketKey(), previous: a.current };
  follower.receive(a);
  follower.receive(b);
  follower.attach({ useTicketKeys: (k) => installed.push(k) });
  t.deepEqual(installed, [b]);
  const c = { current: newTicketKey(), previous: b.current };
  follower.receive(c);
  t.deepEqual(installed, [b, c]);
});

test('a follower attached before any pair arrived installs nothing of its own', (t) => {
  const follower = new TicketKeyFollower();
  const installed: TicketKeyPair[] = [];
  follower.attach({ useTicketKeys: (k) => installed.push(k) });
  t.deepEqual(installed, []);
});

test('the primary starts from the ring it is given, and its timer rotates and can be stopped', async (t) => {
  const ring = new TicketKeyRing();
  const start = ring.keys.current;
  const rotated = new Promise<TicketKeyPair>((resolve) => {
    const share = new TicketKeyShare((keys) => {
      share.stop();
      resolve(keys);
    }, ring);
    t.true(share.keys.current.equals(start));
    share.start(1);
    t.teardown(() => share.stop());
  });
  // The share's timer is unref'd (it must never hold a process open), so the test holds the event loop itself.
  const hold = setInterval(() => undefined, 1000);
  const keys = await rotated.finally(() => clearInterval(hold));
  t.true(keys.previous.equals(start));
  t.true(ring.keys.current.equals(keys.current));
});
