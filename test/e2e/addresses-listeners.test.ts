/**
 * The listener reconciler on its own, on a real DataPlane: reconcile(desired) binds what is new, closes what is gone,
 * rebinds what changed kind, and leaves unchanged listeners alone: a connection open on one survives reconciles.
 */
import test from 'ava';
import { connect, type Socket } from 'node:net';
import { loadConfigText } from '../../src/config/load-config.ts';
import { DataPlane } from '../../src/dataplane/data-plane.ts';
import { createLogger } from '../../src/log.ts';
import type { ListenerSpec } from '../../src/snapshot/addresses.ts';
import { listenerBackendKey, listenerKey } from '../../src/snapshot/addresses.ts';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.ts';
import { ObjectStore } from '../../src/store/object-store.ts';
import { halfClosePeer, loopbackBlock, pod, service, tcpExchange } from '../fixtures/addresses-fixtures.ts';
import { httpGet } from '../helpers/http.ts';
import { unusedPort, waitFor } from '../helpers/servers.ts';

test('reconcile adds, moves and removes listeners by address:port/TCP without touching unchanged ones', async (t) => {
  const block = loopbackBlock();
  const peer = await halfClosePeer(t, 'peer');
  const web = await pod(t, 'web');
  const port = await unusedPort();
  const yaml = [
    service({ name: 'tcp', type: 'ClusterIP', ports: [{ port }], endpoints: [{ ip: '127.0.0.1', port: peer.port }] }),
    service({ name: 'web', type: 'ClusterIP', ports: [{ port, appProtocol: 'http' }], endpoints: [{ ip: '127.0.0.1', port: web.port }] }),
  ].join('---\n');
  const load = loadConfigText([{ path: 'c.yaml', text: yaml }]);
  const snapshot = compileSnapshot(new ObjectStore(load.objects), load.settings, 1);
  const gateway = new DataPlane(snapshot, createLogger('silent'));
  t.teardown(() => gateway.close(0));
  const spec = (host: number, kind: ListenerSpec['kind'], service: string): ListenerSpec => ({
    key: listenerKey(`${block}.${host}`, port),
    address: `${block}.${host}`,
    port,
    kind,
    service: `default/${service}`,
    servicePort: port,
    source: 'loadBalancer',
    backendKey: listenerBackendKey(`default/${service}`, port),
  });
  const listeners = gateway.listeners.services;

  const first = await listeners.reconcile([spec(1, 'tcp', 'tcp'), spec(2, 'tcp', 'tcp')], snapshot.settings);
  t.deepEqual([...first.added].sort(), [spec(1, 'tcp', 'tcp').key, spec(2, 'tcp', 'tcp').key]);
  // An open connection on .1, half-way through an exchange.
  const open: Socket = connect({ host: `${block}.1`, port, allowHalfOpen: true });
  let answer = '';
  open.on('data', (c: Buffer) => (answer += c.toString()));
  await new Promise<void>((resolve) => open.once('connect', () => resolve()));
  open.write('abc');

  // .1 unchanged, .2 removed, .3 added, and .4 bound as HTTP.
  const second = await listeners.reconcile([spec(1, 'tcp', 'tcp'), spec(3, 'tcp', 'tcp'), spec(4, 'http', 'web')], snapshot.settings);
  t.deepEqual(second.kept, [spec(1, 'tcp', 'tcp').key]);
  t.deepEqual(second.removed, [spec(2, 'tcp', 'tcp').key]);
  t.deepEqual([...second.added].sort(), [spec(3, 'tcp', 'tcp').key, spec(4, 'http', 'web').key]);
  await t.throwsAsync(tcpExchange(`${block}.2`, port, 'x'), { code: 'ECONNREFUSED' });
  t.is((await tcpExchange(`${block}.3`, port, 'xy')).toString(), 'peer got 2 bytes\n');
  t.is((await httpGet(`http://${block}.4:${port}/`, { host: 'x' })).text, 'web');

  // .4 moves from HTTP to TCP: closed and bound again with the new kind. The connection on .1 is still fine.
  const third = await listeners.reconcile([spec(1, 'tcp', 'tcp'), spec(3, 'tcp', 'tcp'), spec(4, 'tcp', 'tcp')], snapshot.settings);
  t.deepEqual(third.removed, [spec(4, 'http', 'web').key]);
  t.deepEqual(third.added, [spec(4, 'tcp', 'tcp').key]);
  t.is((await tcpExchange(`${block}.4`, port, 'xyz')).toString(), 'peer got 3 bytes\n');
  open.end('de');
  await waitFor(() => answer.length > 0, 5000, 'the open connection to be answered');
  t.is(answer, 'peer got 5 bytes\n');
  t.deepEqual([...listeners.keys].sort(), [spec(1, 'tcp', 'tcp').key, spec(3, 'tcp', 'tcp').key, spec(4, 'tcp', 'tcp').key]);
});
