/**
 * Command-line values that win over the settings document (`edgeway serve --http ... --state-dir ...`). They are
 * applied to every generation's settings, at start and on each reload, so a reload never undoes a flag.
 */
import type { EtcdSettings, HostPort, Settings } from '../config/settings.ts';
import { schemaDefault } from '../config/settings-schema.ts';

/** `--etcd-*` flags: each replaces its field of spec.etcd; `servers` also turns etcd on when the document does not. */
export interface EtcdOverrides {
  readonly servers?: readonly string[];
  readonly prefix?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface Overrides {
  readonly http?: HostPort;
  readonly https?: HostPort;
  readonly admin?: HostPort;
  readonly stateDir?: string;
  readonly logLevel?: Settings['logging']['level'];
  readonly drainTimeoutMs?: number;
  readonly workers?: number | 'auto';
  readonly etcd?: EtcdOverrides;
  readonly replicaName?: string;
}

/** The settings with the command line applied; a new object, `settings` is not changed. */
export function applyOverrides(settings: Settings, o: Overrides): Settings {
  return {
    ...settings,
    ...(o.http !== undefined && { http: o.http }),
    ...(o.https !== undefined && { https: o.https }),
    ...(o.admin !== undefined && { admin: o.admin }),
    ...(o.stateDir !== undefined && { stateDir: o.stateDir }),
    ...(o.logLevel !== undefined && { logging: { ...settings.logging, level: o.logLevel } }),
    ...(o.drainTimeoutMs !== undefined && { drainTimeoutMs: o.drainTimeoutMs }),
    ...(o.workers !== undefined && { runtime: { ...settings.runtime, workers: o.workers } }),
    ...(o.etcd !== undefined && { etcd: withEtcdFlags(settings.etcd, o.etcd) }),
    ...(o.replicaName !== undefined && { replicaName: o.replicaName }),
  };
}

/**
 * The document's etcd section with the flags applied. Without servers from either, etcd stays off and the other etcd
 * flags have nothing to apply to. The flags' certificate and key come as a pair (checked with the flags), so they
 * replace the document's pair whole.
 */
function withEtcdFlags(base: EtcdSettings | null, o: EtcdOverrides): EtcdSettings | null {
  const servers = o.servers ?? base?.servers;
  if (servers === undefined) return base;
  const pair = o.certFile !== undefined && o.keyFile !== undefined;
  return {
    servers,
    prefix: o.prefix ?? base?.prefix ?? String(schemaDefault(['spec', 'etcd', 'prefix'])),
    caFile: o.caFile ?? base?.caFile ?? null,
    certFile: pair ? (o.certFile ?? null) : (base?.certFile ?? null),
    keyFile: pair ? (o.keyFile ?? null) : (base?.keyFile ?? null),
  };
}
