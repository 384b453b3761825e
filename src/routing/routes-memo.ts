/**
 * What compileRoutes keeps from one compilation to the next so that a reload redoes only what changed: each
 * Ingress's steps (ingress-routes.ts), reused while the Ingress is the very same loaded object, the settings the
 * same object and every store read it made (its backends' Services) gives the same object again; and each host's
 * PathTable (its find-my-way router), reused while the host's rules are the same targets in the same order.
 * Bounded by the configuration: each compilation keeps only what it used.
 */
import type { LoadedObject } from '../config/loaded-object.ts';
import type { Settings } from '../config/settings.ts';
import type { Ingress, IngressClass } from '../k8s/types.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { RecordingReader, unchangedIn, type Reads } from '../store/recording-reader.ts';
import { servesIngress } from './ingress-class.ts';
import { byPrecedence, ingressRoutes, rank, type IngressRoutes, type Ranked } from './ingress-routes.ts';
import type { PathRule, PathTable, PathTables } from './path-table.ts';
import { UsedMap } from './used-map.ts';

interface IngressEntry {
  readonly settings: Settings;
  readonly reads: Reads;
  /** The last store the reads were checked in (or made in): see unchangedIn. */
  at: ObjectStore;
  readonly routes: IngressRoutes;
}

/** The served Ingresses in precedence order, and what they were derived from. */
interface Order {
  /** The store's Ingress and IngressClass lists (the very arrays) and the controller name. */
  readonly ingresses: readonly LoadedObject<Ingress>[];
  readonly classes: readonly LoadedObject<IngressClass>[];
  readonly controller: string;
  readonly ranked: readonly Ranked[];
  /** Position in `ranked` by `namespace/name`. */
  readonly at: ReadonlyMap<string, number>;
  /** The ids sorted, frozen (CompiledRoutes.ingresses). */
  readonly ids: readonly string[];
}

interface TableEntry {
  readonly rules: readonly PathRule[];
  readonly table: PathTable;
}

export class RoutesMemo {
  #ingresses = new UsedMap<LoadedObject<Ingress>, IngressEntry>();
  /** Ranked once per loaded Ingress, so the Ingress memo can compare it by identity. */
  #ranks = new WeakMap<LoadedObject<Ingress>, Ranked>();
  #order: Order | undefined;
  /** By host kind (`exact`, `wildcard`, `any`), then host. */
  #tables = new Map<string, UsedMap<string, TableEntry>>();
  /** Ingresses and hosts compiled anew by the last compilation (tests, the cost tool). */
  recompiled = { ingresses: 0, tables: 0 };

  rank(loaded: LoadedObject<Ingress>): Ranked {
    let ranked = this.#ranks.get(loaded);
    if (ranked === undefined) this.#ranks.set(loaded, (ranked = rank(loaded)));
    return ranked;
  }

  /**
   * The Ingresses of `ingresses` that edgeway serves, by precedence (older first, then namespace/name), and their ids
   * sorted. When the lists are the last compile's but for Ingresses replaced in place by ones with the same id, age
   * and class outcome, the last order is patched at their positions instead of filtering and sorting them all.
   */
  order(
    ingresses: readonly LoadedObject<Ingress>[],
    classes: readonly LoadedObject<IngressClass>[],
    controller: string,
  ): { readonly ranked: readonly Ranked[]; readonly ids: readonly string[] } {
    const last = this.#order;
    if (last !== undefined && last.classes === classes && last.controller === controller && last.ingresses.length === ingresses.length) {
      const patched = this.#patch(last, ingresses, classes);
      if (patched !== undefined) {
        this.#order = { ...last, ingresses, ranked: patched };
        return this.#order;
      }
    }
    const objects = classes.map((l) => l.object);
    const ranked = ingresses
      .filter((l) => servesIngress(l.object, objects, controller))
      .map((l) => this.rank(l))
      .sort(byPrecedence);
    const at = new Map<string, number>();
    ranked.forEach((r, i) => at.set(r.id, i));
    this.#order = { ingresses, classes, controller, ranked, at, ids: Object.freeze(ranked.map((r) => r.id).sort()) };
    return this.#order;
  }

  /** The last order with replaced Ingresses swapped in; undefined when a replacement could move or change who is served. */
  #patch(last: Order, ingresses: readonly LoadedObject<Ingress>[], classes: readonly LoadedObject<IngressClass>[]): Ranked[] | undefined {
    let ranked: Ranked[] | undefined;
    let objects: readonly IngressClass[] | undefined;
    for (let i = 0; i < ingresses.length; i++) {
      const now = ingresses[i]!;
      const before = last.ingresses[i]!;
      if (now === before) continue;
      objects ??= classes.map((l) => l.object);
      const r = this.rank(now);
      const was = last.at.get(this.rank(before).id);
      const served = servesIngress(now.object, objects, last.controller);
      if (was === undefined) {
        // Not served before: fine while it still is not (its id then cannot be among the served either).
        if (served || last.at.has(r.id)) return undefined;
        continue;
      }
      const old = last.ranked[was]!;
      if (!served || old.id !== r.id || old.created !== r.created) return undefined;
      ranked ??= [...last.ranked];
      ranked[was] = r;
    }
    return ranked ?? [...last.ranked];
  }

  routes(store: ObjectStore, ranked: Ranked, settings: Settings): IngressRoutes {
    const kept = this.#ingresses.get(ranked.loaded);
    if (kept !== undefined && kept.settings === settings && kept.routes.ranked === ranked && unchangedIn(kept.reads, store, kept.at)) {
      kept.at = store;
      return kept.routes;
    }
    const reader = new RecordingReader(store);
    const routes = ingressRoutes(reader, ranked, settings);
    this.#ingresses.set(ranked.loaded, { settings, reads: reader.reads, at: store, routes });
    this.recompiled.ingresses++;
    return routes;
  }

  /** @param kind `exact`, `wildcard` or `any`; @param host the host's lookup name. */
  table(kind: string, host: string, rules: readonly PathRule[], tables: PathTables): PathTable {
    let byHost = this.#tables.get(kind);
    if (byHost === undefined) this.#tables.set(kind, (byHost = new UsedMap()));
    const kept = byHost.get(host);
    if (kept !== undefined && sameRules(kept.rules, rules)) return kept.table;
    const table = tables.build(rules);
    byHost.set(host, { rules, table });
    this.recompiled.tables++;
    return table;
  }

  /** Ends a compilation: what it used is kept for the next, the rest dropped. */
  settle(): void {
    this.#ingresses.sweep();
    for (const byHost of this.#tables.values()) byHost.sweep();
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
