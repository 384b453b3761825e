/**
 * A TLS Secret whose certificate does not name a host of the Ingress's tls entry is not presented for that host: a
 * real TLS client gets the default certificate there, the covered host keeps the Secret's, and the warning names the
 * Secret, the host and the certificate's names.
 */
import test, { type ExecutionContext } from 'ava';
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { stringify } from 'yaml';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';
import { ca, leaf, tlsSecret } from '../fixtures/tls-fixtures.ts';

const ROOT = ca('uncovered host root');
const DEFAULT = leaf(ROOT, ['default.test']);
const SHOP = leaf(ROOT, ['shop.test', '*.img.shop.test']);

function servedFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

async function certDir(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'default.crt'), DEFAULT.certPem);
  await writeFile(join(dir, 'certs', 'default.key'), DEFAULT.keyPem, { mode: 0o600 });
  return dir;
}

test('https: a host the Secret certificate does not cover gets the default certificate, with a warning naming both', async (t) => {
  const dir = await certDir(t);
  const backend = await listen(t, (_req, res) => res.end('ok'));
  const ingress = stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop', namespace: 'default' },
    spec: {
      tls: [{ hosts: ['shop.test', 'blog.test'], secretName: 'shop-tls' }],
      rules: ['shop.test', 'blog.test'].map((host) => ({
        host,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 80 } } } }] },
      })),
    },
  });
  const yaml = docs(
    settings(`tls:\n  certificatesDir: ${join(dir, 'certs')}`),
    INGRESS_CLASS,
    serviceWithEndpoints('echo', [{ ip: '127.0.0.1', port: backend.port }]),
    stringify(tlsSecret('shop-tls', SHOP)),
    ingress,
  );
  const running = await startEdgeway(t, yaml, { https: true, dir });
  const httpsPort = running.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
  t.is(await servedFingerprint(httpsPort, 'shop.test'), new X509Certificate(SHOP.certPem).fingerprint256);
  t.is(await servedFingerprint(httpsPort, 'blog.test'), new X509Certificate(DEFAULT.certPem).fingerprint256);

  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as {
    diagnostics: { code: string; object?: string; field?: string; message: string }[];
  };
  const warning = status.diagnostics.find((d) => d.code === 'EW_TLS_HOST_NOT_COVERED');
  t.is(warning?.object, 'Ingress default/shop');
  t.is(warning?.field, 'spec.tls[0].hosts[1]');
  t.is(
    warning?.message,
    'the certificate in Secret default/shop-tls covers shop.test, *.img.shop.test, not blog.test; blog.test gets the default certificate instead: issue a certificate that includes blog.test',
  );
});
