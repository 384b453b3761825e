/**
 * ingress-nginx's protective annotations as compiled, as tables: htpasswd lines and hash formats, CIDR lists,
 * the access policy of an Ingress (failing closed), warnings for every annotation edgeway does not honour and
 * refusals of snippets, force-ssl-redirect, the per-client rate and in-flight limits, and the password check of
 * each hash format htpasswd writes.
 */
import test from 'ava';
import apr1 from 'apache-md5';
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import type { Secret } from '../../src/k8s/types.ts';
import { compileAccessPolicy, canonicalCidr } from '../../src/routing/access-policy.ts';
import { compileRoutes } from '../../src/routing/compile-routes.ts';
import { hashKind, parseAuthMap, parseHtpasswd } from '../../src/routing/htpasswd.ts';
import { unhonouredAnnotations } from '../../src/routing/nginx-annotations.ts';
import { ClientLimiter, ClientLimitRegistry } from '../../src/dataplane/request/client-limits.ts';
import { basicCredentials, checkPassword, MAX_BCRYPT_CHECKS } from '../../src/dataplane/request/password-check.ts';
import { ingress, loaded, path, storeOf, svcBackend, service, settings } from '../fixtures/routing-fixtures.ts';

const N = 'nginx.ingress.kubernetes.io/';
const BCRYPT = bcrypt.hashSync('s3cret', 4).replace(/^\$2b\$/, '$2y$');
const APR1 = apr1('s3cret');
const SHA1 = `{SHA}${createHash('sha1').update('s3cret').digest('base64')}`;

function secret(name: string, data: Record<string, string>, namespace = 'default'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data };
}

function web(annotations: Record<string, string>) {
  return loaded(ingress('web', { rules: [{ host: 'a.test', http: { paths: [path('/', 'Prefix', svcBackend('svc'))] } }] }, { annotations }), 1, {
    'metadata.annotations': 4,
  });
}

test('hash formats: bcrypt, apr1 and SHA-1 are kept; crypt, plain text and other schemes are refused', (t) => {
  const table: [string, string][] = [
    [BCRYPT, 'bcrypt'],
    [BCRYPT.replace('$2y$', '$2a$'), 'bcrypt'],
    [BCRYPT.replace('$2y$', '$2b$'), 'bcrypt'],
    [APR1, 'apr1'],
    [SHA1, 'sha1'],
    ['rqXexS6ZhobKA', 'refused'], // crypt(3)
    ['s3cret', 'refused'], // plain
    ['$6$salt$abc', 'refused'], // SHA-512 crypt, not written by htpasswd
    ['$apr1$xx$short', 'refused'],
    ['{SHA}notbase64', 'refused'],
  ];
  for (const [hash, want] of table) {
    const kind = hashKind(hash);
    t.is(typeof kind === 'string' ? kind : 'refused', want, hash);
  }
});

test('htpasswd file: comments and blank lines skipped, refused lines locked out with a message, first line of a user wins', (t) => {
  const parsed = parseHtpasswd(`# users\nalice:${BCRYPT}\r\n\nbob:${APR1}\ncarol:plain\nnocolon\nalice:${SHA1}\ndave:${SHA1}\n`);
  t.deepEqual([...parsed.users.keys()], ['alice', 'bob', 'dave']);
  t.is(parsed.users.get('alice')?.kind, 'bcrypt');
  t.is(parsed.problems.length, 2);
  t.regex(parsed.problems[0]!, /line 5 \(user "carol"\).*plain-text/);
  t.regex(parsed.problems[1]!, /line 6 is not "user:hash"/);
  t.false(parsed.problems.join().includes('plain\n'), 'no secret value in messages');
  const map = parseAuthMap(
    new Map([
      ['erin', SHA1],
      ['frank', 'rqXexS6ZhobKA'],
    ]),
  );
  t.deepEqual([...map.users.keys()], ['erin']);
  t.regex(map.problems[0]!, /user "frank" has a crypt\(3\) hash/);
});

test('CIDRs: canonical, host bits masked, bare addresses as /32 and /128; junk refused', (t) => {
  const table: [string, string | undefined][] = [
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['FD00::1', 'fd00::1/128'],
    ['fd00:0::/8', 'fd00::/8'],
    ['10.0.0.0/33', undefined],
    ['example.com', undefined],
    ['', undefined],
  ];
  for (const [text, want] of table) t.is(canonicalCidr(text), want, text);
});

test('access policy: none without annotations; ranges, limits and their defaults', (t) => {
  const store = storeOf();
  t.is(compileAccessPolicy(store, web({})).access, null);
  t.is(compileAccessPolicy(store, web({ [`${N}rewrite-target`]: '/' })).access, null);
  const { access, diagnostics } = compileAccessPolicy(
    store,
    web({
      [`${N}whitelist-source-range`]: '10.0.0.0/8, 192.168.1.1',
      [`${N}denylist-source-range`]: '10.9.0.0/16',
      [`${N}limit-rps`]: '5',
      [`${N}limit-connections`]: '2',
      [`${N}limit-whitelist`]: '10.1.0.0/16',
    }),
  );
  t.deepEqual(diagnostics, []);
  t.deepEqual(access?.allow, ['10.0.0.0/8', '192.168.1.1/32']);
  t.deepEqual(access?.deny, ['10.9.0.0/16']);
  t.false(access?.refuseAll);
  t.deepEqual(access?.limits, { rps: 5, rpm: 0, burstMultiplier: 5, connections: 2, exempt: ['10.1.0.0/16'] });
  t.is(access?.auth, null);
  // The newer name wins, and says so.
  const both = compileAccessPolicy(store, web({ [`${N}allowlist-source-range`]: '10.0.0.0/8', [`${N}whitelist-source-range`]: '0.0.0.0/0' }));
  t.deepEqual(both.access?.allow, ['10.0.0.0/8']);
  t.deepEqual(
    both.diagnostics.map((d) => d.code),
    ['EW_ANNOTATION_IGNORED'],
  );
});

test('access policy fails closed: every unusable protective annotation is an error at its line and refuses all', (t) => {
  const store = storeOf(secret('noauth', { other: 'x' }), secret('theirs', { auth: `u:${SHA1}` }, 'other'));
  const table: [Record<string, string>, string, string][] = [
    [{ [`${N}whitelist-source-range`]: '10.0.0.0/8,not-an-ip' }, 'EW_ANNOTATION_INVALID', 'whitelist-source-range'],
    [{ [`${N}denylist-source-range`]: '300.0.0.1' }, 'EW_ANNOTATION_INVALID', 'denylist-source-range'],
    [{ [`${N}allowlist-source-range`]: ' , ' }, 'EW_ANNOTATION_INVALID', 'allowlist-source-range'],
    [{ [`${N}limit-rps`]: 'fast' }, 'EW_ANNOTATION_INVALID', 'limit-rps'],
    [{ [`${N}limit-rps`]: '1', [`${N}limit-burst-multiplier`]: '0' }, 'EW_ANNOTATION_INVALID', 'limit-burst-multiplier'],
    [{ [`${N}auth-type`]: 'digest', [`${N}auth-secret`]: 'noauth' }, 'EW_ANNOTATION_INVALID', 'auth-type'],
    [{ [`${N}auth-type`]: 'basic' }, 'EW_AUTH_SECRET_INVALID', 'auth-type'],
    [{ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'missing' }, 'EW_AUTH_SECRET_INVALID', 'auth-secret'],
    [{ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'noauth' }, 'EW_AUTH_SECRET_INVALID', 'auth-secret'],
    [{ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'other/theirs' }, 'EW_AUTH_SECRET_INVALID', 'auth-secret'],
    [{ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'noauth', [`${N}auth-secret-type`]: 'auth-ldap' }, 'EW_ANNOTATION_INVALID', 'auth-secret-type'],
    [{ [`${N}auth-secret`]: 'noauth' }, 'EW_ANNOTATION_INVALID', 'auth-secret'],
    [{ [`${N}auth-url`]: 'http://auth.example/check' }, 'EW_ANNOTATION_UNSUPPORTED', 'auth-url'],
    [{ [`${N}auth-tls-secret`]: 'default/ca' }, 'EW_ANNOTATION_UNSUPPORTED', 'auth-tls-secret'],
  ];
  for (const [annotations, code, name] of table) {
    const { access, diagnostics } = compileAccessPolicy(store, web(annotations));
    t.true(access?.refuseAll, JSON.stringify(annotations));
    t.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.field]),
      [['error', code, `metadata.annotations.${N}${name}`]],
      JSON.stringify(annotations),
    );
    t.is(diagnostics[0]?.position?.line, 4);
    t.regex(diagnostics[0]!.message, /every request to this Ingress's routes is refused \(503\)/);
  }
});

test('basic auth: auth-file and auth-map Secrets, data (base64) or stringData, realm in the challenge', (t) => {
  const file: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'file', namespace: 'default' },
    data: { auth: Buffer.from(`alice:${BCRYPT}\nbob:plain\n`).toString('base64') },
  };
  const store = storeOf(file, secret('map', { carol: APR1 }));
  const fromFile = compileAccessPolicy(store, web({ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'default/file', [`${N}auth-realm`]: 'Staff "only"' }));
  t.false(fromFile.access?.refuseAll);
  t.deepEqual([...(fromFile.access?.auth?.users.keys() ?? [])], ['alice']);
  t.is(fromFile.access?.auth?.challenge, 'Basic realm="Staff only", charset="UTF-8"');
  t.deepEqual(
    fromFile.diagnostics.map((d) => [d.severity, d.code]),
    [['warning', 'EW_HTPASSWD_REFUSED']],
  );
  const fromMap = compileAccessPolicy(store, web({ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'map', [`${N}auth-secret-type`]: 'auth-map' }));
  t.deepEqual([...(fromMap.access?.auth?.users.keys() ?? [])], ['carol']);
  t.is(fromMap.access?.auth?.challenge, 'Basic realm="Authentication required", charset="UTF-8"');
});

test('every ingress-nginx annotation edgeway does not honour is a warning naming it; snippets are refused', (t) => {
  const diags = unhonouredAnnotations(
    web({
      [`${N}rewrite-target`]: '/$2',
      [`${N}configuration-snippet`]: 'more_set_headers "X: y";',
      [`${N}server-snippet`]: 'location /admin { deny all; }',
      [`${N}auth-snippet`]: 'x',
      [`${N}backend-protocol`]: 'HTTPS',
      [`${N}whitelist-source-range`]: '10.0.0.0/8',
      [`${N}proxy-body-size`]: '1m',
      [`${N}auth-url`]: 'http://auth.example/check',
      'edgeway.io/retry-attempts': '2',
      'example.com/other': 'x',
    }),
  );
  t.deepEqual(
    diags.map((d) => [d.severity, d.code, d.field]),
    [
      ['warning', 'EW_ANNOTATION_UNSUPPORTED', `metadata.annotations.${N}rewrite-target`],
      ['warning', 'EW_ANNOTATION_SNIPPET_REFUSED', `metadata.annotations.${N}configuration-snippet`],
      ['warning', 'EW_ANNOTATION_SNIPPET_REFUSED', `metadata.annotations.${N}server-snippet`],
      ['warning', 'EW_ANNOTATION_SNIPPET_REFUSED', `metadata.annotations.${N}auth-snippet`],
      ['warning', 'EW_ANNOTATION_UNSUPPORTED', `metadata.annotations.${N}backend-protocol`],
    ],
  );
  t.regex(diags[0]!.message, /rewrite-target is not honoured/);
  t.regex(diags[1]!.message, /never runs/);
  t.regex(diags[4]!.message, /on the backend Service/);
});

test('compiled routes carry the access policy and the warnings; force-ssl-redirect redirects hosts without TLS', (t) => {
  const forced = loaded(
    ingress(
      'forced',
      { rules: [{ host: 'f.test', http: { paths: [path('/', 'Prefix', svcBackend('svc'))] } }] },
      { annotations: { [`${N}force-ssl-redirect`]: 'true', [`${N}limit-rpm`]: '60', [`${N}enable-cors`]: 'true' } },
    ),
  );
  const plain = loaded(ingress('plain', { rules: [{ host: 'p.test', http: { paths: [path('/', 'Prefix', svcBackend('svc'))] } }] }));
  const withHttps = { ...settings(), https: { host: '127.0.0.1', port: 8443 } };
  const compiled = compileRoutes(storeOf(service('svc'), forced.object, plain.object), withHttps);
  const f = compiled.table.match('f.test', '/');
  t.true(f?.redirectToHttps);
  t.is(f?.policy.access?.limits?.rpm, 60);
  t.false(compiled.table.match('p.test', '/')?.redirectToHttps);
  t.is(compiled.table.match('p.test', '/')?.policy.access, null);
  t.deepEqual(
    compiled.diagnostics.map((d) => d.code),
    ['EW_ANNOTATION_UNSUPPORTED'],
  );
});

test('rate limit as nginx limit_req nodelay: burst + 1 at once, then the rate; both rates must allow', (t) => {
  const limiter = new ClientLimiter('k', { rps: 2, rpm: 0, burstMultiplier: 2, connections: 0, exempt: [] }, 100);
  const at0 = Array.from({ length: 6 }, () => limiter.takeRate('a', 0));
  t.deepEqual(at0, [true, true, true, true, true, false], 'burst 4: five pass at once');
  t.true(limiter.takeRate('b', 0), 'another client has its own bucket');
  t.false(limiter.takeRate('a', 400), 'refused requests are not counted, and 0.8 of a request drained is not one');
  t.true(limiter.takeRate('a', 500));
  t.false(limiter.takeRate('a', 500));
  const both = new ClientLimiter('k', { rps: 100, rpm: 1, burstMultiplier: 1, connections: 0, exempt: [] }, 100);
  t.deepEqual([both.takeRate('a', 0), both.takeRate('a', 0), both.takeRate('a', 0)], [true, true, false]);
  t.true(both.takeRate('a', 60_000));
});

test('rate tables are bounded: past maxClients the least recently seen client is dropped', (t) => {
  const limiter = new ClientLimiter('k', { rps: 1, rpm: 0, burstMultiplier: 1, connections: 0, exempt: [] }, 3);
  for (let i = 0; i < 1000; i++) limiter.takeRate(`10.0.${i >> 8}.${i & 255}`, 0);
  t.is(limiter.size, 3);
});

test('in-flight limit: open up to the limit, close frees one, entries leave at zero; registry follows Ingresses and limits', (t) => {
  const limiter = new ClientLimiter('k', { rps: 0, rpm: 0, burstMultiplier: 5, connections: 2, exempt: [] }, 100);
  t.deepEqual([limiter.open('a'), limiter.open('a'), limiter.open('a'), limiter.open('b')], [true, true, false, true]);
  limiter.close('a');
  t.true(limiter.open('a'));
  for (let i = 0; i < 3; i++) {
    limiter.close('a');
    limiter.close('b');
  }
  t.is(limiter.size, 0);
  const registry = new ClientLimitRegistry();
  const limits = { rps: 1, rpm: 0, burstMultiplier: 5, connections: 0, exempt: [] };
  const policy = { key: 'ns/a\u00001/0/5/0', refuseAll: false, allow: null, deny: [], auth: null, limits };
  const first = registry.limiter(policy, limits);
  t.is(registry.limiter({ ...policy }, limits), first, 'same Ingress and limits: the same state across snapshots');
  t.not(registry.limiter({ ...policy, key: 'ns/a\u00002/0/5/0' }, limits), first, 'changed limits start fresh');
  t.is(registry.size, 1);
  registry.retain(['ns/b']);
  t.is(registry.size, 0);
});

test.serial('password check: each hash format, wrong passwords and users, malformed headers; bcrypt answers asynchronously', async (t) => {
  const { access } = compileAccessPolicy(
    storeOf(secret('s', { auth: `b:${BCRYPT}\nm:${APR1}\ns:${SHA1}\n` })),
    web({ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 's' }),
  );
  const auth = access!.auth!;
  const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  t.true(checkPassword(auth, basic('m', 's3cret')));
  t.true(checkPassword(auth, basic('s', 's3cret')));
  t.false(checkPassword(auth, basic('m', 'wrong')));
  t.false(checkPassword(auth, basic('nobody', 's3cret')));
  t.false(checkPassword(auth, undefined));
  t.false(checkPassword(auth, 'Bearer abc'));
  t.is(basicCredentials('basic ' + Buffer.from('u:p:q').toString('base64'))?.password, 'p:q');
  const slow = checkPassword(auth, basic('b', 's3cret'));
  t.true(slow instanceof Promise);
  t.true(await slow);
  t.is(checkPassword(auth, basic('b', 's3cret')), true, 'a verified password is remembered');
  t.false(await checkPassword(auth, basic('b', 'wrong')));
});

test.serial('bcrypt checks running at once are capped: past the cap "busy", while a verified password still gets in', async (t) => {
  const { access } = compileAccessPolicy(storeOf(secret('s', { auth: `b:${BCRYPT}\n` })), web({ [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 's' }));
  const auth = access!.auth!;
  const basic = (password: string): string => `Basic ${Buffer.from(`b:${password}`).toString('base64')}`;
  t.true(await checkPassword(auth, basic('s3cret')));
  const running = Array.from({ length: MAX_BCRYPT_CHECKS }, (_, i) => checkPassword(auth, basic(`guess-${i}`)));
  t.true(running.every((r) => r instanceof Promise));
  t.is(checkPassword(auth, basic('one-more-guess')), 'busy');
  t.is(checkPassword(auth, basic('s3cret')), true);
  t.deepEqual(
    await Promise.all(running),
    running.map(() => false),
  );
  t.true(checkPassword(auth, basic('again')) instanceof Promise, 'the cap frees as checks end');
});
