/**
 * The HTTPS entrypoint end to end, with real TLS clients (node:tls, node:https, node:http2) against an in-process
 * edgeway on loopback: certificate selection by SNI, broken Secrets degrading only their hosts, a certificate swapped
 * by a reload, HTTP/2 routed like HTTP/1.1, session resumption, and scanners' garbage.
 */
import test, { type ExecutionContext } from 'ava';
import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpsRequest, Agent } from 'node:https';
import { connect as h2connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import type { PemPair } from '../../src/tls/pem-pair-files.ts';
import { startEdgeway, tempDir, type Running } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';
import { b64, ca, leaf, tlsSecret } from '../fixtures/tls-fixtures.ts';

const ROOT = ca('https test root');
const DEFAULT = leaf(ROOT, ['default.test']);
const EXACT = leaf(ROOT, ['a.test']);
const WILD = leaf(ROOT, ['*.wild.test']);
const SAN_ONLY = leaf(ROOT, ['san.test']);
const EXPIRED = leaf(ROOT, ['expired.test'], 'rsa', { fromDays: -30, toDays: -1 });

function fingerprintOf(pair: PemPair): string {
  return new X509Certificate(pair.certPem).fingerprint256;
}

/** A backend that answers with what it received. */
async function echo(t: ExecutionContext) {
  return listen(t, (req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers, httpVersion: req.httpVersion, size }));
    });
  });
}

function secretYaml(name: string, pair: PemPair): string {
  return stringify(tlsSecret(name, pair));
}

function tlsIngress(
  name: string,
  hosts: readonly string[],
  tls: readonly { hosts: readonly string[]; secretName: string }[],
  annotations: Record<string, string> = {},
): string {
  return stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      tls,
      rules: hosts.map((host) => ({
        host,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 80 } } } }] },
      })),
    },
  });
}

/** A temp dir holding certs/default.{crt,key}, so no test generates (or leaves behind) a default certificate. */
async function certDir(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'default.crt'), DEFAULT.certPem);
  await writeFile(join(dir, 'certs', 'default.key'), DEFAULT.keyPem, { mode: 0o600 });
  return dir;
}

/** The configuration around the test's objects: settings, class, and the echo Service on `backendPort`. */
function config(dir: string, backendPort: number, objects: string, tls = ''): string {
  return docs(
    settings(`tls:\n  certificatesDir: ${join(dir, 'certs')}${tls}`),
    INGRESS_CLASS,
    serviceWithEndpoints('echo', [{ ip: '127.0.0.1', port: backendPort }]),
    objects,
  );
}

async function start(t: ExecutionContext, objects: string, tls = ''): Promise<Running & { httpsPort: number; backendPort: number }> {
  const dir = await certDir(t);
  const backend = await echo(t);
  const running = await startEdgeway(t, config(dir, backend.port, objects, tls), { https: true, dir });
  const httpsPort = running.edgeway.addresses.find((a) => a.name === 'https')?.port ?? 0;
  return { ...running, httpsPort, backendPort: backend.port };
}

/** Handshakes (no request) and returns the served leaf's fingerprint; `servername` undefined sends no SNI. */
function servedFingerprint(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(servername === undefined ? {} : { servername }) },
      () => {
        const fp = socket.getPeerCertificate().fingerprint256;
        socket.destroy();
        resolve(fp);
      },
    );
    socket.on('error', reject);
  });
}

test('https: the SNI matrix end to end (exact, wildcard, SAN fallback, unknown name, no SNI)', async (t) => {
  const { httpsPort } = await start(
    t,
    docs(
      secretYaml('exact', EXACT),
      secretYaml('wild', WILD),
      secretYaml('san-only', SAN_ONLY),
      tlsIngress(
        'web',
        ['a.test', 'x.wild.test', 'san.test'],
        [
          { hosts: ['a.test'], secretName: 'exact' },
          { hosts: ['*.wild.test'], secretName: 'wild' },
        ],
      ),
    ),
  );
  const table: readonly [string | undefined, PemPair][] = [
    ['a.test', EXACT],
    ['A.TEST', EXACT],
    ['x.wild.test', WILD],
    ['san.test', SAN_ONLY],
    ['unknown.test', DEFAULT],
    ['deep.x.wild.test', DEFAULT],
    [undefined, DEFAULT],
  ];
  for (const [name, pair] of table) t.is(await servedFingerprint(httpsPort, name), fingerprintOf(pair), String(name));
});

test('https: key-mismatched, expired, garbage and missing Secrets each report, and only their hosts lose their certificate', async (t) => {
  const mismatched = { certPem: leaf(ROOT, ['mismatch.test']).certPem, keyPem: EXACT.keyPem };
  const garbage = stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'garbage', namespace: 'default' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64('garbage, not PEM'), 'tls.key': b64('nope') },
  });
  const { httpsPort, adminUrl } = await start(
    t,
    docs(
      secretYaml('good', EXACT),
      secretYaml('mismatched', mismatched),
      secretYaml('expired', EXPIRED),
      garbage,
      tlsIngress(
        'web',
        ['a.test'],
        [
          { hosts: ['a.test'], secretName: 'good' },
          { hosts: ['mismatch.test'], secretName: 'mismatched' },
          { hosts: ['expired.test'], secretName: 'expired' },
          { hosts: ['garbage.test'], secretName: 'garbage' },
          { hosts: ['missing.test'], secretName: 'missing' },
        ],
      ),
    ),
  );
  t.is(await servedFingerprint(httpsPort, 'a.test'), fingerprintOf(EXACT));
  t.is(await servedFingerprint(httpsPort, 'expired.test'), fingerprintOf(EXPIRED), 'an expired certificate is still served');
  for (const host of ['mismatch.test', 'garbage.test', 'missing.test']) t.is(await servedFingerprint(httpsPort, host), fingerprintOf(DEFAULT), host);

  const status = JSON.parse((await httpGet(`${adminUrl}/config/status`)).text) as {
    diagnostics: { code: string; object?: string; field?: string; severity: string; text: string }[];
  };
  const has = (code: string, object: string, field: string, severity: string): void => {
    t.true(
      status.diagnostics.some(
        (d) => d.code === code && d.object === object && d.field === field && d.severity === severity && /config\.yaml:\d+:\d+/.test(d.text),
      ),
      `${code} ${object} ${field} in ${JSON.stringify(status.diagnostics.map((d) => d.text))}`,
    );
  };
  has('EW_TLS_KEY_MISMATCH', 'Secret default/mismatched', 'data.tls.key', 'error');
  has('EW_TLS_CERT_EXPIRED', 'Secret default/expired', 'data.tls.crt', 'warning');
  has('EW_TLS_PEM_INVALID', 'Secret default/garbage', 'data.tls.crt', 'error');
  has('EW_TLS_SECRET_INVALID', 'Ingress default/web', 'spec.tls[1].secretName', 'error');
  has('EW_TLS_SECRET_INVALID', 'Ingress default/web', 'spec.tls[3].secretName', 'error');
  has('EW_TLS_SECRET_MISSING', 'Ingress default/web', 'spec.tls[4].secretName', 'error');
});

/** A keep-alive HTTP/1.1 client over one TLS connection. */
function keepAliveGet(agent: Agent, port: number, servername: string): Promise<{ status: number; socket: TLSSocket; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername, path: '/', headers: { host: servername }, agent, rejectUnauthorized: false }, (res) => {
      const socket = res.socket as TLSSocket;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('https: a certificate swapped by a reload is served on the next handshake; an open connection keeps working', async (t) => {
  const objects = (pair: PemPair) => docs(secretYaml('exact', pair), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }]));
  const running = await start(t, objects(EXACT));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const first = await keepAliveGet(agent, running.httpsPort, 'a.test');
  t.is(first.status, 200);
  t.is(first.socket.getPeerCertificate().fingerprint256, fingerprintOf(EXACT));

  const renewed = leaf(ROOT, ['a.test']);
  await writeFile(join(running.dir, 'config.yaml'), config(running.dir, running.backendPort, objects(renewed)));
  t.true((await running.edgeway.reload('api')).ok);

  t.is(await servedFingerprint(running.httpsPort, 'a.test'), fingerprintOf(renewed), 'the next handshake gets the new certificate');
  const again = await keepAliveGet(agent, running.httpsPort, 'a.test');
  t.is(again.status, 200, 'the open connection still serves');
  t.is(again.socket, first.socket, 'on the same connection');
  t.is(again.socket.getPeerCertificate().fingerprint256, fingerprintOf(EXACT), 'which keeps the certificate it was opened with');
});

/** Handshakes verifying the chain against ROOT for `servername`; resolves with the leaf's fingerprint. */
function verifiedFingerprint(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca: ROOT.certPem, ALPNProtocols: ['http/1.1'] }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

test('https: a Secret rotated to a mismatched key keeps serving its last good certificate, with a warning, until it is fixed', async (t) => {
  const objects = (pair: PemPair) => docs(secretYaml('exact', pair), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }]));
  const running = await start(t, objects(EXACT));
  const reload = async (pair: PemPair): Promise<void> => {
    await writeFile(join(running.dir, 'config.yaml'), config(running.dir, running.backendPort, objects(pair)));
    t.true((await running.edgeway.reload('api')).ok);
  };
  t.is(await verifiedFingerprint(running.httpsPort, 'a.test'), fingerprintOf(EXACT));

  const rotated = leaf(ROOT, ['a.test']);
  await reload({ certPem: rotated.certPem, keyPem: EXACT.keyPem });
  t.is(await verifiedFingerprint(running.httpsPort, 'a.test'), fingerprintOf(EXACT), 'a verifying client still gets the last good certificate');
  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as {
    diagnostics: { code: string; object?: string; severity: string; text: string }[];
  };
  const of = (code: string) => status.diagnostics.find((d) => d.code === code && d.object === 'Secret default/exact');
  t.is(of('EW_TLS_KEY_MISMATCH')?.severity, 'error', 'the broken Secret is still reported');
  const kept = of('EW_TLS_SECRET_KEPT');
  t.is(kept?.severity, 'warning');
  t.regex(kept?.text ?? '', /config\.yaml:\d+:\d+: .*Secret default\/exact is unusable .*last good certificate \(a\.test/);
  t.false(
    status.diagnostics.some((d) => d.code === 'EW_TLS_SECRET_INVALID'),
    'the host does not fall back to the default certificate',
  );

  await reload({ certPem: 'garbage', keyPem: EXACT.keyPem });
  t.is(await verifiedFingerprint(running.httpsPort, 'a.test'), fingerprintOf(EXACT), 'still kept over a second broken version');

  await reload(rotated);
  t.is(await verifiedFingerprint(running.httpsPort, 'a.test'), fingerprintOf(rotated), 'the fixed Secret is served');
  const fixed = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as { diagnostics: { code: string }[] };
  t.false(fixed.diagnostics.some((d) => d.code === 'EW_TLS_SECRET_KEPT'));
});

test('https: an HTTP/2 request is routed like HTTP/1.1, with X-Forwarded-Proto https and :authority as Host', async (t) => {
  const { httpsPort } = await start(t, docs(secretYaml('exact', EXACT), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }])));
  const session = h2connect(`https://127.0.0.1:${httpsPort}`, { servername: 'a.test', ca: ROOT.certPem });
  t.teardown(() => session.close());
  const call = (
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; json: { url: string; method: string; size: number; httpVersion: string; headers: Record<string, string> } }> =>
    new Promise((resolve, reject) => {
      const stream = session.request(headers, { endStream: body === undefined });
      let status = 0;
      let text = '';
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => resolve({ status, json: status === 200 ? JSON.parse(text) : {} }));
      stream.on('error', reject);
      if (body !== undefined) stream.end(body);
    });
  const get = await call({ ':path': '/hello?x=1', ':authority': 'a.test', cookie: 'a=1', 'x-forwarded-proto': 'http' });
  t.is(get.status, 200);
  t.is(get.json.url, '/hello?x=1');
  t.is(get.json.httpVersion, '1.1', 'upstream stays HTTP/1.1');
  t.is(get.json.headers.host, 'a.test');
  t.is(get.json.headers['x-forwarded-proto'], 'https', 'a client cannot spoof the scheme');
  t.is(get.json.headers['x-forwarded-port'], String(httpsPort));
  t.false(
    Object.keys(get.json.headers).some((h) => h.startsWith(':')),
    'no pseudo-headers upstream',
  );
  const post = await call({ ':method': 'POST', ':path': '/upload', ':authority': 'a.test' }, 'x'.repeat(10_000));
  t.is(post.status, 200);
  t.is(post.json.method, 'POST');
  t.is(post.json.size, 10_000, 'a body without content-length still goes upstream');
  const miss = await call({ ':path': '/', ':authority': 'nowhere.test' });
  t.is(miss.status, 404);
});

test('https: HTTP/1.1 over TLS routes the same and sessions resume by ticket', async (t) => {
  const { httpsPort } = await start(t, docs(secretYaml('exact', EXACT), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }])));
  const agent = new Agent({ keepAlive: false });
  const reply = await keepAliveGet(agent, httpsPort, 'a.test');
  t.is(reply.status, 200);
  t.is((JSON.parse(reply.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'https');

  const handshake = (session?: Buffer): Promise<{ reused: boolean; session: Buffer | undefined }> =>
    new Promise((resolve, reject) => {
      let ticket: Buffer | undefined;
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: httpsPort,
        servername: 'a.test',
        ca: ROOT.certPem,
        ALPNProtocols: ['http/1.1'],
        ...(session === undefined ? {} : { session }),
      });
      socket.on('session', (s: Buffer) => (ticket = s));
      socket.on('secureConnect', () => {
        // TLS 1.3 sends tickets after the handshake: ask for a response so they arrive before we close.
        socket.write('GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      });
      socket.on('data', () => {});
      socket.on('end', () => resolve({ reused: socket.isSessionReused(), session: ticket }));
      socket.on('error', reject);
    });
  const first = await handshake();
  t.false(first.reused);
  t.truthy(first.session);
  const second = await handshake(first.session);
  t.true(second.reused, 'the ticket from the first connection resumes the second');
});

test('https: garbage and failed handshakes from scanners do not disturb the listener', async (t) => {
  const { httpsPort } = await start(t, docs(secretYaml('exact', EXACT), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }])));
  await new Promise<void>((resolve) => {
    const socket = netConnect(httpsPort, '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n'));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.resume();
  });
  await t.throwsAsync(
    new Promise((resolve, reject) => {
      const socket = tlsConnect(
        { host: '127.0.0.1', port: httpsPort, servername: 'a.test', maxVersion: 'TLSv1.1', minVersion: 'TLSv1', rejectUnauthorized: false },
        () => resolve(socket),
      );
      socket.on('error', reject);
    }),
  );
  t.is(await servedFingerprint(httpsPort, 'a.test'), fingerprintOf(EXACT));
});

test('https: a graceful stop closes an idle HTTP/1.1 keep-alive connection at once, without waiting for the drain time', async (t) => {
  t.timeout(20_000, 'an idle TLS keep-alive connection held the stop for the drain time');
  const running = await start(t, docs(secretYaml('exact', EXACT), tlsIngress('web', ['a.test'], [{ hosts: ['a.test'], secretName: 'exact' }])));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const reply = await keepAliveGet(agent, running.httpsPort, 'a.test');
  t.is(reply.status, 200);
  const closed = new Promise<void>((resolve) => reply.socket.once('close', () => resolve()));
  await running.edgeway.close(50_000);
  await closed;
  t.pass();
});

test('https: the default certificate from a Secret named in the settings, replaced on reload for clients without SNI; a missing one falls back with a diagnostic', async (t) => {
  const first = leaf(ROOT, ['fallback-one.test']);
  const second = leaf(ROOT, ['fallback-two.test']);
  const objects = docs(secretYaml('one', first), secretYaml('two', second));
  const running = await start(t, objects, '\n  defaultCertificate: {name: one}');
  t.is(await servedFingerprint(running.httpsPort, undefined), fingerprintOf(first), 'no SNI');
  t.is(await servedFingerprint(running.httpsPort, 'unknown.test'), fingerprintOf(first), 'unknown name');

  const reload = async (tls: string): Promise<void> => {
    await writeFile(join(running.dir, 'config.yaml'), config(running.dir, running.backendPort, objects, tls));
    t.true((await running.edgeway.reload('api')).ok);
  };
  await reload('\n  defaultCertificate: {name: two}');
  t.is(await servedFingerprint(running.httpsPort, undefined), fingerprintOf(second), 'the listener identity follows the reload');
  t.is(await servedFingerprint(running.httpsPort, 'unknown.test'), fingerprintOf(second));

  await reload('\n  defaultCertificate: {name: absent}');
  t.is(await servedFingerprint(running.httpsPort, undefined), fingerprintOf(DEFAULT), 'the generated pair from certificatesDir');
  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as { diagnostics: { code: string; field?: string }[] };
  t.true(
    status.diagnostics.some((d) => d.code === 'EW_TLS_DEFAULT_CERT_UNUSABLE' && d.field === 'spec.tls.defaultCertificate'),
    JSON.stringify(status.diagnostics),
  );
});
