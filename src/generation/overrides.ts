/**
 * Command-line values that win over the settings document (`edgeway serve --http ... --state-dir ...`). They are
 * applied to every generation's settings, at start and on each reload, so a reload never undoes a flag.
 */
import type { HostPort, Settings } from '../config/settings.ts';

export interface Overrides {
  readonly http?: HostPort;
  readonly https?: HostPort;
  readonly admin?: HostPort;
  readonly stateDir?: string;
  readonly logLevel?: Settings['logging']['level'];
  readonly drainTimeoutMs?: number;
  readonly workers?: number | 'auto';
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
  };
}
