/**
 * The `edgeway serve` flags for shared state: parsed as the CLI parses them, bad values are usage errors naming the
 * flag, and the flags win over the settings document's spec.etcd and spec.replicaName.
 */
import test from 'ava';
import { parseArgs } from 'node:util';
import { isEtcdUrl } from '../../src/cli/etcd-flags.ts';
import { overridesFrom, SERVE_OPTIONS } from '../../src/cli/serve.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { applyOverrides } from '../../src/generation/overrides.ts';

const flags = (...args: string[]) => overridesFrom(parseArgs({ args: ['--config', 'x.yaml', ...args], options: SERVE_OPTIONS, strict: true }).values);

test('isEtcdUrl: http or https, a host, no path', (t) => {
  const table: readonly [string, boolean][] = [
    ['http://127.0.0.1:2379', true],
    ['https://etcd-0.example:2379', true],
    ['http://[::1]:2379/', true],
    ['127.0.0.1:2379', false],
    ['ftp://e:2379', false],
    ['http://e:2379/v3', false],
    ['http://e:2379?x=1', false],
    ['http://', false],
    ['', false],
  ];
  for (const [text, ok] of table) t.is(isEtcdUrl(text), ok, text);
});

test('--etcd-servers takes a comma-separated list; the other flags fill spec.etcd', (t) => {
  const o = flags(
    '--etcd-servers',
    'http://127.0.0.1:2379, https://[::1]:2379',
    '--etcd-prefix',
    '/edge',
    '--etcd-cafile',
    'ca.pem',
    '--replica-name',
    'edge-a',
  );
  t.deepEqual(o, { etcd: { servers: ['http://127.0.0.1:2379', 'https://[::1]:2379'], prefix: '/edge', caFile: 'ca.pem' }, replicaName: 'edge-a' });
  if (typeof o === 'string') return;
  t.deepEqual(applyOverrides(DEFAULT_SETTINGS, o).etcd, {
    servers: ['http://127.0.0.1:2379', 'https://[::1]:2379'],
    prefix: '/edge',
    caFile: 'ca.pem',
    certFile: null,
    keyFile: null,
  });
  t.is(applyOverrides(DEFAULT_SETTINGS, o).replicaName, 'edge-a');
  t.deepEqual(flags(), {});
});

test('bad values are usage errors naming the flag', (t) => {
  const table: readonly [string[], RegExp][] = [
    [['--etcd-servers', '127.0.0.1:2379'], /^--etcd-servers .*"127\.0\.0\.1:2379"/],
    [['--etcd-servers', 'http://a:2379,ftp://b:2379'], /^--etcd-servers .*"ftp:\/\/b:2379"/],
    [['--etcd-servers', 'http://a:2379,'], /^--etcd-servers .*""/],
    [['--etcd-certfile', 'c.pem'], /^--etcd-certfile needs --etcd-keyfile/],
    [['--etcd-keyfile', 'k.pem'], /^--etcd-keyfile needs --etcd-certfile/],
    [['--etcd-prefix', 'edgeway'], /^--etcd-prefix must start with \//],
    [['--replica-name', 'two words'], /^--replica-name /],
  ];
  for (const [args, message] of table) {
    const o = flags(...args);
    t.is(typeof o, 'string', args.join(' '));
    t.regex(String(o), message);
  }
});

test('flags win over the document; without servers from either, etcd stays off', (t) => {
  const fromDoc = { ...DEFAULT_SETTINGS, etcd: { servers: ['http://a:2379'], prefix: '/doc', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' } };
  t.deepEqual(applyOverrides(fromDoc, { etcd: { prefix: '/flag', certFile: 'c2.pem', keyFile: 'k2.pem' } }).etcd, {
    servers: ['http://a:2379'],
    prefix: '/flag',
    caFile: 'ca.pem',
    certFile: 'c2.pem',
    keyFile: 'k2.pem',
  });
  t.deepEqual(applyOverrides(fromDoc, { etcd: { servers: ['http://b:2379'] } }).etcd?.servers, ['http://b:2379']);
  t.is(applyOverrides(DEFAULT_SETTINGS, { etcd: { prefix: '/flag' } }).etcd, null);
});
