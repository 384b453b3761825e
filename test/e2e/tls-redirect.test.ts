/**
 * HTTP → HTTPS: the 308 on the plain entrypoint for TLS hosts, its two opt-out annotations, the ACME HTTP-01
 * exemption, and the pure rules behind the compile-time flag.
 */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Ingress } from '../../src/k8s/types.ts';
import { allowsSslRedirect, hostHasTls, tlsHostsOf } from '../../src/routing/https-redirect.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';
import { ca, leaf, tlsSecret } from '../fixtures/tls-fixtures.ts';

const ROOT = ca('redirect test root');
const CERT = leaf(ROOT, ['a.test', 'b.test', 'c.test', '*.wild.test']);

function ingressObject(name: string, hosts: readonly string[], tlsHosts: readonly string[], annotations: Record<string, string> = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      ...(tlsHosts.length === 0 ? {} : { tls: [{ hosts: [...tlsHosts], secretName: 'cert' }] }),
      rules: hosts.map((host) => ({
        host,
        http: { paths: [{ path: '/', pathType: 'Prefix' as const, backend: { service: { name: 'echo', port: { number: 80 } } } }] },
      })),
    },
  };
}

test('redirect rules: TLS hosts exact and by one-label wildcard, annotations opt out', (t) => {
  const hosts = tlsHostsOf([ingressObject('a', [], ['A.test', '*.wild.test'])]);
  const table: readonly [kind: 'exact' | 'wildcard' | 'any', name: string, expected: boolean][] = [
    ['exact', 'a.test', true],
    ['exact', 'x.wild.test', true],
    ['exact', 'x.y.wild.test', false],
    ['exact', 'wild.test', false],
    ['wildcard', 'wild.test', true],
    ['wildcard', 'a.test', false],
    ['any', '', false],
  ];
  for (const [kind, name, expected] of table) t.is(hostHasTls(hosts, kind, name), expected, `${kind} ${name}`);
  const annotations: readonly [Record<string, string>, boolean][] = [
    [{}, true],
    [{ 'edgeway.io/ssl-redirect': 'false' }, false],
    [{ 'edgeway.io/ssl-redirect': 'False ' }, false],
    [{ 'edgeway.io/ssl-redirect': 'true' }, true],
    [{ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }, false],
    [{ 'edgeway.io/ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }, true],
  ];
  for (const [a, expected] of annotations) t.is(allowsSslRedirect(ingressObject('x', [], [], a)), expected, JSON.stringify(a));
});

test('redirect: 308 to https with path and query for TLS hosts; opt-outs, ACME challenges and plain hosts are proxied', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'default.crt'), CERT.certPem);
  await writeFile(join(dir, 'certs', 'default.key'), CERT.keyPem, { mode: 0o600 });
  const backend = await listen(t, (req, res) => res.end(`proxied ${req.url}`));
  const yaml = docs(
    settings(`tls:\n  certificatesDir: ${join(dir, 'certs')}`),
    INGRESS_CLASS,
    serviceWithEndpoints('echo', [{ ip: '127.0.0.1', port: backend.port }]),
    stringify(tlsSecret('cert', CERT)),
    stringify(ingressObject('secure', ['a.test', 'x.wild.test', 'plain.test'], ['a.test', '*.wild.test'])),
    stringify(ingressObject('opt-out', ['b.test'], ['b.test'], { 'edgeway.io/ssl-redirect': 'false' })),
    stringify(ingressObject('nginx-opt-out', ['c.test'], ['c.test'], { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' })),
  );
  const running = await startEdgeway(t, yaml, { https: true, dir });
  const httpsPort = running.edgeway.addresses.find((a) => a.name === 'https')?.port;

  const redirected = await httpGet(`${running.url}/some/path?q=1&r=%20`, { host: 'A.test:8080' });
  t.is(redirected.status, 308);
  t.is(redirected.headers.location, `https://a.test:${httpsPort}/some/path?q=1&r=%20`);
  t.is(redirected.text, '');
  const post = await httpGet(`${running.url}/form`, { host: 'x.wild.test', 'content-type': 'text/plain' }, 'POST', 'body');
  t.is(post.status, 308, 'a wildcard TLS host redirects, and 308 keeps the method');
  t.is(post.headers.location, `https://x.wild.test:${httpsPort}/form`);

  const cases: readonly [host: string, path: string][] = [
    ['a.test', '/.well-known/acme-challenge/token123'],
    ['b.test', '/'],
    ['c.test', '/'],
    ['plain.test', '/'],
  ];
  for (const [host, path] of cases) {
    const reply = await httpGet(`${running.url}${path}`, { host });
    t.is(reply.status, 200, `${host}${path}`);
    t.is(reply.text, `proxied ${path}`);
  }
});

test('redirect: without an HTTPS entrypoint nothing redirects', async (t) => {
  const backend = await listen(t, (_req, res) => res.end('proxied'));
  const yaml = docs(
    INGRESS_CLASS,
    serviceWithEndpoints('echo', [{ ip: '127.0.0.1', port: backend.port }]),
    stringify(tlsSecret('cert', CERT)),
    stringify(ingressObject('secure', ['a.test'], ['a.test'])),
  );
  const running = await startEdgeway(t, yaml);
  t.is((await httpGet(`${running.url}/`, { host: 'a.test' })).status, 200);
});
