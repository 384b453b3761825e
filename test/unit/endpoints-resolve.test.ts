/**
 * resolveBackend as a whole: missing Service or port, ExternalName with the setting off and on, the appProtocol
 * pass-through, and determinism (load order never changes the result).
 */
import test from 'ava';
import { resolveBackend } from '../../src/controllers/resolve-backend.ts';
import type { BackendRef } from '../../src/config/settings.ts';
import type { KubeObject } from '../../src/k8s/types.ts';
import { pod, service, settings, storeOf } from '../fixtures/endpoints-fixtures.ts';

const ref = (name: string, port: number | string): BackendRef => ({ namespace: 'default', name, port });

const web = service('web', {
  selector: { app: 'web' },
  ports: [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'kubernetes.io/h2c' }, { port: 443 }],
});
const ext = service('ext', { type: 'ExternalName', externalName: 'api.example.com', ports: [{ name: 'https', port: 443 }] });
const extNoPorts = service('bare', { type: 'ExternalName', externalName: 'db.example.com' });

test('unavailable: missing Service or port, with a message naming the ports that exist', (t) => {
  const store = storeOf(web, ext, extNoPorts);
  const table: readonly [BackendRef, boolean, string, RegExp][] = [
    [ref('nope', 80), false, 'EW_BACKEND_SERVICE_MISSING', /^Service default\/nope does not exist\.$/],
    [{ namespace: 'other', name: 'web', port: 80 }, false, 'EW_BACKEND_SERVICE_MISSING', /other\/web/],
    [ref('web', 8080), false, 'EW_BACKEND_PORT_MISSING', /^Service default\/web has no port 8080; its ports are: 80 \(http\), 443\.$/],
    [ref('web', 'grpc'), false, 'EW_BACKEND_PORT_MISSING', /^Service default\/web has no port named 'grpc'; its ports are: 80 \(http\), 443\.$/],
    [ref('ext', 'http'), true, 'EW_BACKEND_PORT_MISSING', /its ports are: 443 \(https\)/],
    [ref('bare', 'http'), true, 'EW_BACKEND_PORT_MISSING', /its ports are: none/],
  ];
  for (const [backend, enabled, reason, message] of table) {
    const { resolution, diagnostics } = resolveBackend(store, backend, settings(enabled));
    t.is(resolution.kind, 'unavailable', JSON.stringify(backend));
    if (resolution.kind !== 'unavailable') continue;
    t.is(resolution.reason, reason);
    t.regex(resolution.message, message);
    t.deepEqual(diagnostics, [], 'the referring object reports these, at its own position');
  }
});

test('ExternalName disabled: unavailable, with a warning saying how to enable it', (t) => {
  const { resolution, diagnostics } = resolveBackend(storeOf(web, ext), ref('ext', 443), settings(false));
  t.like(resolution, { kind: 'unavailable', reason: 'EW_EXTERNALNAME_DISABLED' });
  t.is(diagnostics.length, 1);
  t.like(diagnostics[0], {
    severity: 'warning',
    code: 'EW_EXTERNALNAME_DISABLED',
    object: 'Service default/ext',
    field: 'spec.type',
    position: { file: 'endpoints.yaml', line: 103, column: 5 },
  });
  t.regex(diagnostics[0]?.message ?? '', /externalName\.enabled: true/);
});

test('ExternalName enabled: host and port', (t) => {
  const store = storeOf(ext, extNoPorts);
  const table: readonly [BackendRef, { host: string; port: number }][] = [
    [ref('ext', 443), { host: 'api.example.com', port: 443 }],
    [ref('ext', 'https'), { host: 'api.example.com', port: 443 }],
    // No such Service port, but a number: an ExternalName Service need not list ports.
    [ref('ext', 8443), { host: 'api.example.com', port: 8443 }],
    [ref('bare', 5432), { host: 'db.example.com', port: 5432 }],
  ];
  for (const [backend, expected] of table) {
    const { resolution, diagnostics } = resolveBackend(store, backend, settings(true));
    t.deepEqual(resolution, { kind: 'externalName', ...expected });
    t.deepEqual(diagnostics, []);
  }
});

test('endpoints carry the Service port number and its appProtocol', (t) => {
  const store = storeOf(web, pod('a', { ip: '10.0.0.1' }));
  const named = resolveBackend(store, ref('web', 'http'), settings()).resolution;
  t.like(named, { kind: 'endpoints', servicePort: 80, appProtocol: 'kubernetes.io/h2c' });
  const plain = resolveBackend(store, ref('web', 443), settings()).resolution;
  t.like(plain, { kind: 'endpoints', servicePort: 443 });
  t.false('appProtocol' in plain);
});

test('determinism: any load order gives the same endpoints, sorted by address then port', (t) => {
  const pods = [
    pod('p1', { ip: '10.0.0.10' }),
    pod('p2', { ip: '10.0.0.9' }),
    pod('p3', { ip: '10.0.0.10', ready: false }),
    pod('p4', { ip: 'fd00::1' }),
    pod('p5', { ip: '9.255.255.255' }),
    pod('p6', { ip: '127.0.0.1', terminating: true }),
  ];
  const orders: readonly (readonly KubeObject[])[] = [
    [web, ...pods],
    [...[...pods].reverse(), web],
    [pods[3]!, web, pods[0]!, pods[5]!, pods[2]!, pods[1]!, pods[4]!],
  ];
  const results = orders.map((objects) => resolveBackend(storeOf(...objects), ref('web', 80), settings()));
  const first = results[0]!.resolution;
  if (first.kind !== 'endpoints') return t.fail();
  // p1 and p3 share an address (hostNetwork-style): one entry, the ready one.
  t.deepEqual(
    first.endpoints.map((e) => `${e.address}:${e.port}:${e.targetRef}`),
    ['9.255.255.255:8080:default/p5', '10.0.0.9:8080:default/p2', '10.0.0.10:8080:default/p1', '127.0.0.1:8080:default/p6', 'fd00::1:8080:default/p4'],
  );
  for (const r of results) t.deepEqual(r, results[0]);
  // Running it twice on one store changes nothing either.
  const store = storeOf(web, ...pods);
  t.deepEqual(resolveBackend(store, ref('web', 80), settings()), resolveBackend(store, ref('web', 80), settings()));
});
