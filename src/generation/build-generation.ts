/**
 * Builds one generation from the configuration files: load and validate, apply the command line, read the admin
 * token, check that the admin listener may run without one, compile the snapshot. The start and every reload call
 * this one function, so both accept and refuse the same input with the same codes; what differs between them (the
 * generation number, what the serving generation lends) is input. Nothing here touches what is serving: the only
 * I/O is reading the configuration files, the other clusters' files, the token file, and what `allocations` reads.
 */
import { formatDiagnostic, type Diagnostic } from '../config/diagnostic.ts';
import { loadConfig } from '../config/load-config.ts';
import { sameValue } from '../config/same-value.ts';
import { DEFAULT_SETTINGS } from '../config/settings-defaults.ts';
import type { Settings } from '../config/settings.ts';
import { isLoopback, resolveAdminToken } from '../admin/admin-token.ts';
import type { AllocationState } from '../allocation/allocation-state.ts';
import { EdgewayError } from '../edgeway-error.ts';
import { cpuMs } from '../reload/build-cost.ts';
import type { CompileMemo } from '../snapshot/compile-memo.ts';
import { compileSnapshot, type ClusterStore } from '../snapshot/compile-snapshot.ts';
import type { FileObjectSource } from '../store/file-object-source.ts';
import { withBuiltinObjects } from '../store/builtin-objects.ts';
import { ObjectStore } from '../store/object-store.ts';
import type { Generation } from './generation.ts';
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { applyOverrides, type Overrides } from './overrides.ts';

export interface BuildInput {
  /** The --config files and directories, then the applied layer's file when it holds objects. */
  readonly source: FileObjectSource;
  readonly overrides: Overrides;
  readonly generation: number;
  /** The generation serving now (null at start): the store continues from it, equal settings stay its object. */
  readonly prior: Generation | null;
  /** Kept by the caller from one build to the next, so a reload recompiles only what changed (the source's parse cache does the same for parsing). */
  readonly memo: CompileMemo;
  /**
   * The allocation state the compile honours, asked for once the settings (and so the state directory) are known.
   * The start reads the state file here, so a corrupt one (EW_STATE_CORRUPT) stops it before anything is bound.
   */
  readonly allocations: (settings: Settings) => Promise<AllocationState>;
  /** Every diagnostic of the load, as soon as it is read, errors and warnings (the start prints them). */
  readonly loaded?: (diagnostics: readonly Diagnostic[]) => void;
  /** Where problems with the other clusters' files go, one line each. */
  readonly report: (line: string) => void;
  /** The objects and allocations shared with other replicas in etcd; absent on one machine. */
  readonly shared?: SharedBuild;
}

/** What a build does differently when replicas share state (shared/replica-state.ts implements it). */
export interface SharedBuild {
  /**
   * The file objects with the shared ones added after them, the diagnostics of combining them (an API object a
   * file shadows, files that disagree with another replica's), and the build's sync revision (null: etcd silent).
   */
  objects(
    fileObjects: readonly LoadedObject[],
  ): Promise<{ readonly objects: readonly LoadedObject[]; readonly diagnostics: readonly Diagnostic[]; readonly syncRevision: number | null }>;
  /**
   * Compiles with the shared claims as `previous` and claims the result before anything is served, compiling again
   * from the newer claims when another replica got in first, so two replicas never serve one address for two
   * Services. Resolves with the compilation that was claimed.
   */
  compileClaimed(compile: (previous: AllocationState) => Compiled): Promise<Compiled>;
}

/** One compilation of a build: the store and the snapshot compiled from it. */
export interface Compiled {
  readonly store: ObjectStore;
  readonly snapshot: Snapshot;
}

/**
 * The next generation, or why there is none: EW_CONFIG_INVALID (the input is unreadable as a whole),
 * EW_ADMIN_TOKEN_UNREADABLE, EW_ADMIN_NOT_LOOPBACK, each with the diagnostics that say where. Returned, not thrown:
 * the start throws it, a reload records it and keeps serving. Errors of `allocations` are thrown through.
 */
export async function buildGeneration(input: BuildInput): Promise<Generation | EdgewayError> {
  const { prior } = input;
  const loadStarted = cpuMs();
  // A file's own maxConfigBytes and YAML limits cannot apply before the file is read: a reload reads with the serving ones.
  const serving = prior?.snapshot.settings ?? DEFAULT_SETTINGS;
  const load = await input.source.list({ maxBytes: serving.maxConfigBytes, yamlLimits: serving.yamlLimits });
  input.loaded?.(load.diagnostics);
  if (load.fatal) {
    const errors = load.diagnostics.filter((d) => d.severity === 'error');
    return new EdgewayError('EW_CONFIG_INVALID', `the configuration cannot be read (${errors.length} error(s))`, { diagnostics: errors });
  }
  const fresh = applyOverrides(load.settings, input.overrides);
  const previous = await input.allocations(fresh);
  const shared = input.shared === undefined ? undefined : await input.shared.objects(load.objects);
  const loadDiagnostics = shared === undefined || shared.diagnostics.length === 0 ? load.diagnostics : [...load.diagnostics, ...shared.diagnostics];
  const clusters = await loadClusters(fresh, input.report);
  const compileStarted = cpuMs();
  // Equal settings stay the same object, so what the memo and the data plane keyed by them stays reusable.
  const settings = prior !== null && sameValue(fresh, prior.snapshot.settings) ? prior.snapshot.settings : fresh;
  let token: string | null;
  try {
    token = await resolveAdminToken(settings.adminAuth);
  } catch (err) {
    const message = (err as Error).message;
    const diagnostic: Diagnostic = { severity: 'error', code: 'EW_ADMIN_TOKEN_UNREADABLE', message, field: 'spec.admin.tokenFile' };
    return new EdgewayError('EW_ADMIN_TOKEN_UNREADABLE', message, { diagnostics: [diagnostic], cause: err });
  }
  // The admin listener is bound once, at start: a reload keeps it where the serving settings put it.
  const admin = (prior?.snapshot.settings ?? settings).admin;
  if (token === null && !isLoopback(admin)) {
    const message =
      `the admin listener ${admin.host}:${admin.port} is not a loopback address and no admin token is set: ` +
      'set spec.admin.token or spec.admin.tokenFile, or run the admin listener on 127.0.0.1';
    return new EdgewayError('EW_ADMIN_NOT_LOOPBACK', message, {
      diagnostics: [{ severity: 'error', code: 'EW_ADMIN_NOT_LOOPBACK', message, field: 'spec.admin.token' }],
    });
  }
  const objects = shared?.objects ?? load.objects;
  // Shared: records of Services this replica does not have are other replicas' claims, kept taken.
  const foreignClaims = input.shared === undefined ? 'release' : 'reserve';
  const compile = (from: AllocationState): Compiled => {
    const store = ObjectStore.next(prior?.store, withBuiltinObjects(objects, settings, from));
    return { store, snapshot: compileSnapshot(store, settings, input.generation, from, new Date(), clusters, input.memo, foreignClaims) };
  };
  const { store, snapshot } = input.shared === undefined ? compile(previous) : await input.shared.compileClaimed(compile);
  const cost = { loadMs: compileStarted - loadStarted, compileMs: cpuMs() - compileStarted, applyMs: 0 };
  const built = { snapshot, store, clusters, skipped: load.skipped, loadDiagnostics, token, cost };
  return shared === undefined ? built : { ...built, syncRevision: shared.syncRevision };
}

/**
 * The other clusters named in the settings, each loaded like --config. A cluster whose manifests cannot be read is
 * reported and left out (its endpoints are missing, the rest serve); settings documents inside them are ignored.
 */
async function loadClusters(settings: Settings, report: (line: string) => void): Promise<ClusterStore[]> {
  const out: ClusterStore[] = [];
  for (const c of settings.clusters) {
    const load = await loadConfig(c.config, { maxBytes: settings.maxConfigBytes, yamlLimits: settings.yamlLimits });
    for (const d of load.diagnostics) report(`cluster ${c.name}: ${formatDiagnostic(d)}`);
    if (load.fatal) continue;
    out.push({ name: c.name, zone: c.zone, region: c.region, store: new ObjectStore(load.objects) });
  }
  return out;
}
