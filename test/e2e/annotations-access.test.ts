/**
 * ingress-nginx's protective annotations on real sockets: source ranges (403, X-Forwarded-For believed only from
 * trusted proxies), basic authentication with each htpasswd hash format (401 with the realm's challenge), rate
 * and in-flight limits per client (503) with their exemptions, upgrades refused the same way, a protective
 * annotation that cannot be used refusing everything (503), the warnings in /config/status, and force-ssl-redirect.
 * A refused request never reaches the backend.
 */
import test from 'ava';
import apr1 from 'apache-md5';
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints, settings } from '../helpers/manifests.ts';
import { listen, waitFor } from '../helpers/servers.ts';
import { ca, leaf } from '../fixtures/tls-fixtures.ts';

const N = 'nginx.ingress.kubernetes.io/';

/** An Ingress with one Prefix / rule for `host` to Service `svc`, with the annotations. */
function annotated(name: string, host: string, annotations: Record<string, string>): string {
  const lines = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return ingress(name, [{ host, path: '/', service: 'svc' }]).replace(`  name: ${name}\n`, `  name: ${name}\n  annotations:\n${lines}\n`);
}

/** A backend that records the paths it served, and holds `/hold*` until released. */
async function backend(t: Parameters<typeof listen>[0]) {
  const seen: string[] = [];
  const held: ServerResponse[] = [];
  const server = await listen(t, (req, res) => {
    req.resume();
    seen.push(`${req.headers.host} ${req.url}`);
    if (req.url?.startsWith('/hold') === true) held.push(res);
    else res.end('ok');
  });
  return { port: server.port, seen, held, release: () => held.splice(0).forEach((r) => r.end('done')) };
}

/** Sends a WebSocket upgrade request on a raw socket and returns the response head edgeway wrote. */
function rawUpgrade(port: number, host: string, extra = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
    );
  });
}

test('source ranges: allowlist, its older name, denylist; 403 and the backend never sees the request', async (t) => {
  const b = await backend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('lan', 'lan.test', { [`${N}whitelist-source-range`]: '10.0.0.0/8' }),
      annotated('local', 'local.test', { [`${N}allowlist-source-range`]: '192.0.2.0/24, 127.0.0.0/8' }),
      annotated('denied', 'denied.test', { [`${N}denylist-source-range`]: '127.0.0.1' }),
      annotated('both', 'both.test', { [`${N}allowlist-source-range`]: '127.0.0.0/8', [`${N}denylist-source-range`]: '127.0.0.0/24' }),
    ),
  );
  const lan = await httpGet(`${gw.url}/`, { host: 'lan.test', 'x-forwarded-for': '10.1.2.3' });
  t.is(lan.status, 403);
  t.is(lan.headers['x-edgeway-error'], 'EDGEWAY_ACCESS_DENIED', 'an untrusted client cannot name its own address');
  t.is((await httpGet(`${gw.url}/`, { host: 'local.test' })).status, 200);
  t.is((await httpGet(`${gw.url}/`, { host: 'denied.test' })).status, 403);
  t.is((await httpGet(`${gw.url}/`, { host: 'both.test' })).status, 403, 'the denylist wins');
  t.deepEqual(b.seen, ['local.test /']);
});

test('behind a trusted proxy the client is the last untrusted X-Forwarded-For address', async (t) => {
  const b = await backend(t);
  const gw = await startEdgeway(
    t,
    docs(
      settings('trustedProxies: ["127.0.0.1/32", "10.0.0.0/8"]'),
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('doc', 'doc.test', { [`${N}whitelist-source-range`]: '203.0.113.0/24' }),
    ),
  );
  const get = (xff?: string) => httpGet(`${gw.url}/`, xff === undefined ? { host: 'doc.test' } : { host: 'doc.test', 'x-forwarded-for': xff });
  t.is((await get('203.0.113.9')).status, 200);
  t.is((await get('203.0.113.9, 10.0.0.7')).status, 200, 'trusted hops are skipped');
  t.is((await get('203.0.113.9, 198.51.100.1')).status, 403, 'an address prepended by the client is not believed');
  t.is((await get('nonsense')).status, 403, 'an unreadable hop stops the walk at the proxy');
  t.is((await get()).status, 403, 'without the header the proxy itself is the client');
});

test('basic auth: 401 with the realm, each htpasswd hash format signs in, crypt and wrong passwords do not', async (t) => {
  const b = await backend(t);
  const htpasswd = [
    `bc:${bcrypt.hashSync('pw-bc', 4).replace(/^\$2b\$/, '$2y$')}`,
    `md:${apr1('pw-md')}`,
    `sh:{SHA}${createHash('sha1').update('pw-sh').digest('base64')}`,
    'old:rqXexS6ZhobKA',
  ].join('\n');
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: users\n  namespace: default\nstringData:\n  auth: ${JSON.stringify(htpasswd)}\n`;
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      secret,
      annotated('private', 'p.test', { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'users', [`${N}auth-realm`]: 'Staff' }),
    ),
  );
  const as = (user: string, password: string) =>
    httpGet(`${gw.url}/${user}`, { host: 'p.test', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const none = await httpGet(`${gw.url}/`, { host: 'p.test' });
  t.is(none.status, 401);
  t.is(none.headers['www-authenticate'], 'Basic realm="Staff", charset="UTF-8"');
  t.is(none.headers['x-edgeway-error'], 'EDGEWAY_AUTH_REQUIRED');
  for (const [user, password] of [
    ['bc', 'pw-bc'],
    ['md', 'pw-md'],
    ['sh', 'pw-sh'],
  ] as const)
    t.is((await as(user, password)).status, 200, user);
  t.is((await as('bc', 'pw-bc')).status, 200, 'again, from the remembered verification');
  t.is((await as('bc', 'wrong')).status, 401);
  t.is((await as('old', 'anything')).status, 401, 'a crypt(3) line is refused');
  t.deepEqual(b.seen, ['p.test /bc', 'p.test /md', 'p.test /sh', 'p.test /bc']);
  const status = (await httpGet(`${gw.adminUrl}/config/status`)).text;
  t.regex(status, /EW_HTPASSWD_REFUSED/);
});

test('limit-rpm with its burst per client, limit-whitelist exempts, limit-connections caps requests in flight', async (t) => {
  const b = await backend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('rated', 'r.test', { [`${N}limit-rpm`]: '1', [`${N}limit-burst-multiplier`]: '2' }),
      annotated('exempt', 'e.test', { [`${N}limit-rps`]: '1', [`${N}limit-burst-multiplier`]: '1', [`${N}limit-whitelist`]: '127.0.0.1/32' }),
      annotated('conns', 'c.test', { [`${N}limit-connections`]: '1' }),
    ),
  );
  const rated = [];
  for (let i = 0; i < 4; i++) rated.push(await httpGet(`${gw.url}/${i}`, { host: 'r.test' }));
  t.deepEqual(
    rated.map((r) => r.status),
    [200, 200, 200, 503],
    'burst 2 (1 × 2): three at once, then refused',
  );
  t.is(rated[3]!.headers['x-edgeway-error'], 'EDGEWAY_RATE_LIMITED');
  for (let i = 0; i < 6; i++) t.is((await httpGet(`${gw.url}/`, { host: 'e.test' })).status, 200);

  const first = httpGet(`${gw.url}/hold`, { host: 'c.test' });
  await waitFor(() => b.held.length === 1, 5000, 'the first request at the backend');
  const second = await httpGet(`${gw.url}/`, { host: 'c.test' });
  t.is(second.status, 503);
  t.is(second.headers['x-edgeway-error'], 'EDGEWAY_CONNECTION_LIMITED');
  b.release();
  t.is((await first).status, 200);
  // Released when the response closes; polled, since the client can read the answer before edgeway sees the close.
  await waitFor(async () => (await httpGet(`${gw.url}/after`, { host: 'c.test' })).status === 200, 5000, 'the slot freed');
  t.false(b.seen.includes('c.test /'), 'the refused request never reached the backend');
});

test('upgrades are refused like requests: 403 outside the range, 401 with the challenge without credentials', async (t) => {
  const b = await backend(t);
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: users\n  namespace: default\nstringData:\n  auth: "u:{SHA}${createHash('sha1').update('pw').digest('base64')}"\n`;
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      secret,
      annotated('lan', 'lan.test', { [`${N}whitelist-source-range`]: '10.0.0.0/8' }),
      annotated('private', 'p.test', { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'users' }),
    ),
  );
  const lan = await rawUpgrade(gw.port, 'lan.test');
  t.regex(lan, /^HTTP\/1\.1 403 /);
  t.regex(lan, /X-Edgeway-Error: EDGEWAY_ACCESS_DENIED/);
  const anonymous = await rawUpgrade(gw.port, 'p.test');
  t.regex(anonymous, /^HTTP\/1\.1 401 /);
  t.regex(anonymous, /WWW-Authenticate: Basic realm="Authentication required", charset="UTF-8"\r\n/);
  t.deepEqual(b.seen, []);
});

test('an unusable protective annotation refuses every request (503); unhonoured annotations and snippets are listed in /config/status', async (t) => {
  const b = await backend(t);
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('broken', 'x.test', { [`${N}whitelist-source-range`]: '10.0.0.0/8, 10.0.0.300' }),
      annotated('migrated', 'm.test', { [`${N}configuration-snippet`]: 'deny all;', [`${N}rewrite-target`]: '/' }),
    ),
  );
  const broken = await httpGet(`${gw.url}/`, { host: 'x.test' });
  t.is(broken.status, 503);
  t.is(broken.headers['x-edgeway-error'], 'EDGEWAY_ACCESS_MISCONFIGURED');
  t.is((await httpGet(`${gw.url}/`, { host: 'm.test' })).status, 200, 'warnings degrade nothing');
  const { diagnostics } = JSON.parse((await httpGet(`${gw.adminUrl}/config/status`)).text) as {
    diagnostics: { code: string; field?: string; severity: string }[];
  };
  const mine = diagnostics.filter((d) => d.field?.includes(N) === true).map((d) => [d.severity, d.code, d.field]);
  t.deepEqual(mine, [
    ['error', 'EW_ANNOTATION_INVALID', `metadata.annotations.${N}whitelist-source-range`],
    ['warning', 'EW_ANNOTATION_SNIPPET_REFUSED', `metadata.annotations.${N}configuration-snippet`],
    ['warning', 'EW_ANNOTATION_UNSUPPORTED', `metadata.annotations.${N}rewrite-target`],
  ]);
  t.deepEqual(b.seen, ['m.test /']);
});

test('force-ssl-redirect: 308 to https for a host without a TLS section', async (t) => {
  const dir = await tempDir(t);
  const root = ca();
  const cert = leaf(root, ['other.test']);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'default.crt'), cert.certPem);
  await writeFile(join(dir, 'certs', 'default.key'), cert.keyPem, { mode: 0o600 });
  const b = await backend(t);
  const gw = await startEdgeway(
    t,
    docs(
      settings(`tls:\n  certificatesDir: ${join(dir, 'certs')}`),
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('forced', 'f.test', { [`${N}force-ssl-redirect`]: 'true' }),
      annotated('plain', 'p.test', {}),
    ),
    { https: true, dir },
  );
  const httpsPort = gw.edgeway.addresses.find((a) => a.name === 'https')?.port;
  const forced = await httpGet(`${gw.url}/a?b=1`, { host: 'f.test' });
  t.is(forced.status, 308);
  t.is(forced.headers.location, `https://f.test:${httpsPort}/a?b=1`);
  t.is((await httpGet(`${gw.url}/`, { host: 'p.test' })).status, 200);
});

test("limit state outlives a reload that keeps the Ingress's limits, and starts afresh when they change", async (t) => {
  const b = await backend(t);
  const config = (rpm: string, extra: string[]): string =>
    docs(
      settings('reload: {watch: false}'),
      INGRESS_CLASS,
      serviceWithEndpoints('svc', [{ ip: '127.0.0.1', port: b.port }]),
      annotated('rated', 'r.test', { [`${N}limit-rpm`]: rpm, [`${N}limit-burst-multiplier`]: '1' }),
      ...extra,
    );
  const gw = await startEdgeway(t, config('1', []));
  const statuses = async (n: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await httpGet(`${gw.url}/`, { host: 'r.test' })).status);
    return out;
  };
  t.deepEqual(await statuses(3), [200, 200, 503]);
  await writeFile(join(gw.dir, 'config.yaml'), config('1', [annotated('other', 'o.test', {})]));
  t.true((await gw.edgeway.reload('api')).ok);
  t.deepEqual(await statuses(1), [503], 'unchanged limits: the client is still over them');
  await writeFile(join(gw.dir, 'config.yaml'), config('2', []));
  t.true((await gw.edgeway.reload('api')).ok);
  t.deepEqual(await statuses(4), [200, 200, 200, 503], 'new limits (burst 2): counted from zero');
});
