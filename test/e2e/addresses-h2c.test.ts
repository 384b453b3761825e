/**
 * A Service port with `appProtocol: kubernetes.io/h2c`: its listener takes HTTP/2 with prior knowledge and HTTP/1.1
 * alike, and edgeway reaches the endpoints over cleartext HTTP/2 (an h2c-only backend here).
 */
import test from 'ava';
import { connect as http2Connect, createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { addressSettings, loopbackBlock, serve, service } from '../fixtures/addresses-fixtures.ts';
import { tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs } from '../helpers/manifests.ts';
import { unusedPort } from '../helpers/servers.ts';

async function h2cBackend(t: Parameters<typeof tempDir>[0]): Promise<number> {
  const server: Http2Server = createHttp2Server((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ httpVersion: req.httpVersion, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function h2Get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url);
    session.on('error', reject);
    const req = session.request({ ':path': path, ':method': 'GET' });
    let status = 0;
    let body = '';
    req.on('response', (headers) => (status = Number(headers[':status'])));
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    req.on('error', reject);
    req.end();
  });
}

test('an h2c Service port serves HTTP/2 prior-knowledge and HTTP/1.1 clients, and talks h2c to its endpoints', async (t) => {
  const block = loopbackBlock();
  const backendPort = await h2cBackend(t);
  const port = await unusedPort();
  const yaml = docs(
    addressSettings({ pool: [`${block}.0/28`], nodes: [`${block}.100`] }),
    service({ name: 'grpcish', ports: [{ port, appProtocol: 'kubernetes.io/h2c' }], endpoints: [{ ip: '127.0.0.1', port: backendPort }] }),
  );
  const { edgeway } = await serve(t, await tempDir(t), yaml);
  const ip = `${block}.0`;
  t.deepEqual(edgeway.snapshot.addresses.services.get('default/grpcish')?.loadBalancer, { kind: 'assigned', pool: 'test', ips: [ip] });

  const viaH2 = await h2Get(`http://${ip}:${port}`, '/over/h2');
  t.is(viaH2.status, 200);
  t.deepEqual(JSON.parse(viaH2.body), { httpVersion: '2.0', path: '/over/h2' });

  const viaH1 = await httpGet(`http://${ip}:${port}/over/h1`, { host: 'svc.test' });
  t.is(viaH1.status, 200);
  t.deepEqual(JSON.parse(viaH1.text), { httpVersion: '2.0', path: '/over/h1' });
});
