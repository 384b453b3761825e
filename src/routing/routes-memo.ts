/**
 * What compileRoutes keeps from one compilation to the next so that a reload redoes only what changed: each
 * Ingress's steps (ingress-routes.ts), reused while the Ingress is the very same loaded object, the settings the
 * same object and every store read it made (its backends' Services) gives the same object again; and each host's
 * PathTable (its find-my-way router), reused while the host's rules are the same targets in the same order.
 * Bounded by the configuration: each compilation keeps only what it used.
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { Ingress } from '../k8s/types.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { RecordingReader, unchangedIn, type Reads } from '../store/recording-reader.ts';
import { ingressRoutes, rank, type IngressRoutes, type Ranked } from './ingress-routes.ts';
import type { PathRule, PathTable, PathTables } from './path-table.ts';

interface IngressEntry {
  readonly settings: Settings;
  readonly reads: Reads;
  /** The last store the reads were checked in (or made in): see unchangedIn. */
  at: ObjectStore;
  readonly routes: IngressRoutes;
}

interface TableEntry {
  readonly rules: readonly PathRule[];
  readonly table: PathTable;
}

export class RoutesMemo {
  #ingresses = new Map<LoadedObject<Ingress>, IngressEntry>();
  #nextIngresses = new Map<LoadedObject<Ingress>, IngressEntry>();
  #ranks = new Map<LoadedObject<Ingress>, Ranked>();
  #nextRanks = new Map<LoadedObject<Ingress>, Ranked>();
  #tables = new Map<string, TableEntry>();
  #nextTables = new Map<string, TableEntry>();
  /** Ingresses and hosts compiled anew by the last compilation (tests, the cost tool). */
  recompiled = { ingresses: 0, tables: 0 };

  rank(loaded: LoadedObject<Ingress>): Ranked {
    let ranked = this.#ranks.get(loaded);
    if (ranked === undefined) ranked = rank(loaded);
    this.#nextRanks.set(loaded, ranked);
    return ranked;
  }

  routes(store: ObjectStore, ranked: Ranked, settings: Settings): IngressRoutes {
    const kept = this.#ingresses.get(ranked.loaded);
    if (kept !== undefined && kept.settings === settings && kept.routes.ranked === ranked && unchangedIn(kept.reads, store, kept.at)) {
      kept.at = store;
      this.#nextIngresses.set(ranked.loaded, kept);
      return kept.routes;
    }
    const reader = new RecordingReader(store);
    const routes = ingressRoutes(reader, ranked, settings);
    this.#nextIngresses.set(ranked.loaded, { settings, reads: reader.reads, at: store, routes });
    this.recompiled.ingresses++;
    return routes;
  }

  /** @param key the host's kind and name (`exact\0example.com`). */
  table(key: string, rules: readonly PathRule[], tables: PathTables): PathTable {
    const kept = this.#tables.get(key);
    if (kept !== undefined && sameRules(kept.rules, rules)) {
      this.#nextTables.set(key, kept);
      return kept.table;
    }
    const table = tables.build(rules);
    this.#nextTables.set(key, { rules, table });
    this.recompiled.tables++;
    return table;
  }

  /** Ends a compilation: what it used is kept for the next, the rest dropped. */
  settle(): void {
    this.#ingresses = this.#nextIngresses;
    this.#nextIngresses = new Map();
    this.#ranks = this.#nextRanks;
    this.#nextRanks = new Map();
    this.#tables = this.#nextTables;
    this.#nextTables = new Map();
  }
}

function sameRules(a: readonly PathRule[], b: readonly PathRule[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.target !== y.target || x.path !== y.path || x.exact !== y.exact) return false;
  }
  return true;
}
