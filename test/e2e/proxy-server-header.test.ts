/** A proxied response always carries a Server header: the backend's own, or `edgeway` when the backend sent none. */
import test from 'ava';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { startEdgeway } from '../helpers/edgeway.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';

function headersOf(url: string, host: string): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the backend Server header is passed on, and edgeway names itself when there is none', async (t) => {
  const named = await listen(t, (_req, res) => {
    res.setHeader('server', 'backend/1.2');
    res.end('ok');
  });
  const anonymous = await listen(t, (_req, res) => res.end('ok'));
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('named', [{ ip: '127.0.0.1', port: named.port }]),
      serviceWithEndpoints('anonymous', [{ ip: '127.0.0.1', port: anonymous.port }]),
      ingress('web', [
        { host: 'named.test', path: '/', service: 'named' },
        { host: 'anonymous.test', path: '/', service: 'anonymous' },
      ]),
    ),
  );
  t.is((await headersOf(`${gw.url}/`, 'named.test')).server, 'backend/1.2');
  t.is((await headersOf(`${gw.url}/`, 'anonymous.test')).server, 'edgeway');
});
