/**
 * `edgeway serve --config FILE [--config FILE2 ...] [--http HOST:PORT] [--https HOST:PORT] [--admin HOST:PORT]
 * [--state-dir DIR] [--workers N|auto] [--etcd-servers URL,...] [--replica-name NAME] ...`: runs the gateway until SIGTERM or SIGINT (graceful drain; a second signal exits at once).
 * Exit codes: 0 after a clean stop, 1 when the configuration cannot be used or a listener cannot be bound,
 * 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import { parseHostPort } from '../config/settings-document.ts';
import type { HostPort } from '../config/settings.ts';
import { Edgeway } from '../edgeway.ts';
import type { Overrides } from '../generation/overrides.ts';
import { parseWorkers } from '../workers/worker-count.ts';
import { ETCD_OPTIONS, etcdFlags } from './etcd-flags.ts';

export const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c', multiple: true },
  http: { type: 'string' },
  https: { type: 'string' },
  admin: { type: 'string' },
  'state-dir': { type: 'string' },
  'log-level': { type: 'string' },
  'drain-timeout': { type: 'string' },
  workers: { type: 'string' },
  ...ETCD_OPTIONS,
} as const;

export type ServeValues = ReturnType<typeof parseArgs<{ options: typeof SERVE_OPTIONS; strict: true }>>['values'];

type MutableOverrides = { -readonly [K in keyof Overrides]: Overrides[K] };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Validates the serve flags; returns a usage message on error. */
export function overridesFrom(values: ServeValues): MutableOverrides | string {
  const out: MutableOverrides = {};
  for (const flag of ['http', 'https', 'admin'] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const at: HostPort | undefined = parseHostPort(text);
    if (at === undefined) return `--${flag} must be HOST:PORT (IPv6 as [::1]:8080), got ${JSON.stringify(text)}`;
    out[flag] = at;
  }
  if (values['state-dir'] !== undefined) out.stateDir = values['state-dir'];
  const level = values['log-level'];
  if (level !== undefined) {
    if (!LEVELS.has(level)) return `--log-level must be one of ${[...LEVELS].join(', ')}, got ${JSON.stringify(level)}`;
    out.logLevel = level as Overrides['logLevel'] & string;
  }
  if (values.workers !== undefined) {
    const workers = parseWorkers(values.workers);
    if (workers === undefined) return `--workers must be auto or a number from 1 to 1024, got ${JSON.stringify(values.workers)}`;
    out.workers = workers;
  }
  const shared = etcdFlags(values);
  if (typeof shared === 'string') return shared;
  if (shared.etcd !== undefined) out.etcd = shared.etcd;
  if (shared.replicaName !== undefined) out.replicaName = shared.replicaName;
  return out;
}

export async function runServe(argv: readonly string[], afterStart?: (edgeway: Edgeway) => Promise<() => Promise<void>>): Promise<number> {
  let values: ServeValues;
  try {
    ({ values } = parseArgs({ args: [...argv], options: SERVE_OPTIONS, strict: true }));
  } catch (err) {
    return usage((err as Error).message);
  }
  const configPaths = values.config ?? [];
  if (configPaths.length === 0) return usage('--config FILE is required (a file or a directory of *.yaml files)');
  const overrides = overridesFrom(values);
  if (typeof overrides === 'string') return usage(overrides);
  if (values['drain-timeout'] !== undefined) {
    const drainMs = Number(values['drain-timeout']) * 1000;
    if (!Number.isFinite(drainMs) || drainMs < 0) return usage('--drain-timeout takes seconds');
    overrides.drainTimeoutMs = drainMs;
  }

  let edgeway: Edgeway;
  try {
    // The CLI forks data-plane workers as spec.runtime.workers (or --workers) says; see docs/workers.md.
    edgeway = await Edgeway.start({ configPaths, overrides, report: (line) => process.stderr.write(line + '\n'), workers: 'settings' });
  } catch (err) {
    // Matched by code: EdgewayError (EW_*), StateCorruptError and errno errors from binding all carry one.
    const e = err as Error & { readonly code?: string; readonly diagnostics?: readonly unknown[] };
    if (e.code === 'EW_CONFIG_INVALID') {
      // Each diagnostic was printed through `report` as it was found.
      process.stderr.write(`edgeway: ${e.diagnostics?.length ?? 0} error(s); nothing was started\n`);
    } else {
      process.stderr.write(`edgeway: cannot start: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    }
    return 1;
  }
  const stopExtras = afterStart ? await afterStart(edgeway) : async () => {};

  const reload = (): void => void edgeway.reload('SIGHUP');
  process.on('SIGHUP', reload);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      // The drain timeout is read now, so a reload that changed it applies.
      const drainMs = edgeway.snapshot.settings.drainTimeoutMs;
      edgeway.logger.info({ signal, drainMs }, 'draining');
      process.off('SIGHUP', reload);
      // A second signal means "now": exit at once, without waiting for the drain.
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      void edgeway.close(drainMs).then(stopExtras).then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`edgeway serve: ${message}\n`);
  return 2;
}
