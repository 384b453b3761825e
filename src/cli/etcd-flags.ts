/**
 * The `edgeway serve` flags that turn shared state on: `--etcd-servers` (comma-separated, the flag kube-apiserver
 * uses), `--etcd-prefix`, `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`, and `--replica-name`. They are checked
 * here, before anything starts, so a typo is a usage error naming the flag rather than a connection that fails later.
 * The settings document's `spec.etcd` and `spec.replicaName` take the same values; flags win (overrides.ts).
 */
import { schemaAt } from '../config/settings-schema.ts';
import type { EtcdOverrides } from '../generation/overrides.ts';

export const ETCD_OPTIONS = {
  'etcd-servers': { type: 'string' },
  'etcd-prefix': { type: 'string' },
  'etcd-cafile': { type: 'string' },
  'etcd-certfile': { type: 'string' },
  'etcd-keyfile': { type: 'string' },
  'replica-name': { type: 'string' },
} as const;

type EtcdValues = { readonly [K in keyof typeof ETCD_OPTIONS]?: string | undefined };

/** The schema's rule for spec.replicaName, read from the schema so the flag and the document never disagree. */
const REPLICA_NAME = new RegExp(schemaAt(['spec', 'replicaName'])?.pattern ?? '');

/** `http://host:port` or `https://host:port`, nothing after the authority but an optional `/`. */
export function isEtcdUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    !/\s/.test(text)
  );
}

/** The etcd flags given, or a usage message. */
export function etcdFlags(values: EtcdValues): { etcd?: EtcdOverrides; replicaName?: string } | string {
  const out: { etcd?: EtcdOverrides; replicaName?: string } = {};
  const name = values['replica-name'];
  if (name !== undefined) {
    if (name.length > 253 || !REPLICA_NAME.test(name)) {
      return `--replica-name must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit, got ${JSON.stringify(name)}`;
    }
    out.replicaName = name;
  }
  const etcd: { -readonly [K in keyof EtcdOverrides]: EtcdOverrides[K] } = {};
  const servers = values['etcd-servers'];
  if (servers !== undefined) {
    const list = servers.split(',').map((s) => s.trim());
    const bad = list.find((s) => !isEtcdUrl(s));
    if (bad !== undefined) return `--etcd-servers takes http:// or https:// URLs separated by commas (e.g. http://127.0.0.1:2379), got ${JSON.stringify(bad)}`;
    etcd.servers = list;
  }
  const prefix = values['etcd-prefix'];
  if (prefix !== undefined) {
    if (!prefix.startsWith('/') || /\s/.test(prefix)) return `--etcd-prefix must start with / and have no spaces, got ${JSON.stringify(prefix)}`;
    etcd.prefix = prefix;
  }
  for (const [flag, field] of [
    ['etcd-cafile', 'caFile'],
    ['etcd-certfile', 'certFile'],
    ['etcd-keyfile', 'keyFile'],
  ] as const) {
    const path = values[flag];
    if (path === undefined) continue;
    if (path === '') return `--${flag} needs a file path`;
    etcd[field] = path;
  }
  if ((etcd.certFile === undefined) !== (etcd.keyFile === undefined)) {
    return etcd.certFile === undefined
      ? '--etcd-keyfile needs --etcd-certfile (a client key and its certificate go together)'
      : '--etcd-certfile needs --etcd-keyfile (a client certificate and its key go together)';
  }
  if (Object.keys(etcd).length > 0) out.etcd = etcd;
  return out;
}
