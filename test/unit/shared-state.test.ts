/**
 * Shared-state health without an etcd: transitions and what they keep, the liveness probe's lifecycle over a stub
 * client, and the etcd client options made from the settings (TLS files read, unreadable ones named).
 */
import test from 'ava';
import type { Etcd3, IRangeResponse } from 'etcd3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdOptions, ETCD_CALL_TIMEOUT_MS } from '../../src/shared/etcd-client.ts';
import { EtcdLiveness } from '../../src/shared/etcd-liveness.ts';
import { SharedStateHealth } from '../../src/shared/shared-state-health.ts';
import { waitFor } from '../helpers/servers.ts';

const settings = { servers: ['http://127.0.0.1:2379'], prefix: '/edgeway', caFile: null, certFile: null, keyFile: null };

test('health: listeners hear transitions only; the revision only grows; the last error stays', (t) => {
  const start = new Date(0);
  const health = new SharedStateHealth(settings, start);
  const heard: (boolean | null)[] = [];
  const stop = health.onChange((v) => heard.push(v.reachable));
  t.deepEqual(health.view(), { servers: settings.servers, prefix: '/edgeway', reachable: null, since: start, lastError: null, revision: 0 });
  health.markUp(5, new Date(1));
  health.markUp(3, new Date(2));
  t.is(health.revision, 5);
  t.deepEqual(health.view().since, new Date(1));
  health.markDown(new Error('connect ECONNREFUSED'), new Date(3));
  health.markDown(new Error('deadline exceeded'), new Date(4));
  t.deepEqual(health.view().since, new Date(3));
  t.deepEqual(health.view().lastError, { at: new Date(4), message: 'deadline exceeded' });
  health.markUp(undefined, new Date(5));
  t.is(health.revision, 5);
  t.deepEqual(health.view().lastError, { at: new Date(4), message: 'deadline exceeded' });
  t.deepEqual(heard, [true, false, true]);
  stop();
  health.markDown('gone');
  t.deepEqual(heard, [true, false, true]);
});

/** A client whose range calls wait for the test to answer them. */
function stubClient(): { client: Etcd3; calls: { key: string; answer: (revision: number | Error) => void }[] } {
  const calls: { key: string; answer: (revision: number | Error) => void }[] = [];
  const kv = {
    range: (req: { key: Buffer }) =>
      new Promise<IRangeResponse>((resolve, reject) => {
        calls.push({
          key: req.key.toString(),
          answer: (r) => (r instanceof Error ? reject(r) : resolve({ header: { revision: String(r) } } as unknown as IRangeResponse)),
        });
      }),
  };
  return { client: { kv } as unknown as Etcd3, calls };
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('liveness: one probe at a time of <prefix>/, marks up and down, and close() waits for the probe and ends the loop', async (t) => {
  const { client, calls } = stubClient();
  const health = new SharedStateHealth(settings);
  const liveness = new EtcdLiveness(client, health, '/edgeway', { intervalMs: 0 });
  t.is(calls.length, 1);
  t.is(calls[0]?.key, '/edgeway/');
  await turns(5);
  t.is(calls.length, 1, 'the next probe starts only after the previous answered');
  calls[0]?.answer(7);
  await waitFor(() => calls.length === 2, 2000, 'the second probe');
  t.is(health.reachable, true);
  t.is(health.revision, 7);
  calls[1]?.answer(new Error('14 UNAVAILABLE: No connection established'));
  await waitFor(() => calls.length === 3, 2000, 'the third probe');
  t.is(health.reachable, false);
  let closed = false;
  const closing = liveness.close().then(() => (closed = true));
  await turns(5);
  t.false(closed, 'close waits for the probe under way');
  calls[2]?.answer(9);
  await closing;
  // A probe scheduled after close would start on the next timer turn (intervalMs 0); give it several.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1));
  t.is(calls.length, 3, 'no probe after close');
  t.is(health.reachable, false, 'an answer after close is not reported');
});

test('client options: a deadline on unary calls only, TLS credentials only for https servers', async (t) => {
  const options = etcdOptions(settings);
  t.deepEqual(options.hosts, ['http://127.0.0.1:2379']);
  t.is(options.credentials, undefined);
  const factory = options.defaultCallOptions;
  if (typeof factory !== 'function') return t.fail('defaultCallOptions is a function');
  const before = Date.now();
  const unary = factory({ service: 'KV', method: 'range', params: {}, isStream: false } as Parameters<typeof factory>[0]);
  t.true(Number(unary.deadline) >= before + ETCD_CALL_TIMEOUT_MS);
  t.deepEqual(factory({ service: 'Watch', method: 'watch', params: {}, isStream: true } as Parameters<typeof factory>[0]), {});

  const dir = await mkdtemp(join(tmpdir(), 'edgeway-etcd-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'ca.pem'), 'CA');
  await writeFile(join(dir, 'c.pem'), 'CERT');
  await writeFile(join(dir, 'k.pem'), 'KEY');
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') };
  const tls = etcdOptions({ ...settings, ...files, servers: ['https://127.0.0.1:2379'] });
  t.is(tls.credentials?.rootCertificate.toString(), 'CA');
  t.is(tls.credentials?.certChain?.toString(), 'CERT');
  t.is(tls.credentials?.privateKey?.toString(), 'KEY');
  t.is(etcdOptions({ ...settings, ...files }).credentials, undefined, 'http:// servers: no TLS');
});

test('an unreadable TLS file is EW_ETCD_TLS_UNREADABLE naming the field and the file', (t) => {
  for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
    const error = t.throws(() => etcdOptions({ ...settings, [field]: '/nonexistent/etcd.pem' }));
    t.is((error as Error & { code?: string }).code, 'EW_ETCD_TLS_UNREADABLE');
    t.regex(error?.message ?? '', new RegExp(`${field} /nonexistent/etcd\\.pem cannot be read \\(ENOENT\\)`));
  }
});
