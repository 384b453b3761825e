/**
 * The endpoints of one bound backend as the request path uses them: each ready endpoint with its pool, its shared
 * runtime state and its weight, plus the current locality plan (locality-plan.ts) turned into candidate sets for the
 * backend's balancer. The plan is recomputed only when the board's version moved (an ejection, a health flip), so a
 * pick costs one integer compare, at most one random number for the level, and the balancer's own pick.
 *
 * Each member is also the UpstreamObserver of the requests sent to it: it counts requests in flight, feeds the
 * latency estimate and the outlier detector, and ejects within the backend's maximum ejection percentage.
 */
import { DEFAULT_SETTINGS } from '../../config/settings-defaults.ts';
import { BackendRuntime } from './backend-runtime.ts';
import type { Pool } from 'undici';
import type { ResolvedEndpoint } from '../../controllers/resolved-endpoint.ts';
import type { Code } from '../../errors.ts';
import type { Backend } from '../../snapshot/snapshot.ts';
import type { Balancer, PickContext } from '../balancers/balancer.ts';
import { CandidateSet, type Candidate } from '../balancers/candidate-set.ts';
import type { EndpointState } from '../health/endpoint-state.ts';
import type { EndpointStates } from '../health/endpoint-states.ts';
import { mayEject } from '../health/outlier-policy.ts';
import { planLocality, type LocalityPlan, type LocalitySelf, type PlanSettings } from '../locality/locality-plan.ts';
import type { UpstreamObserver } from './upstream-observer.ts';

/** Failures that count against an endpoint; a client that went away is not the endpoint's fault. */
const ENDPOINT_FAILURES: ReadonlySet<Code> = new Set<Code>([
  'EDGEWAY_UPSTREAM_CONNECT',
  'EDGEWAY_UPSTREAM_RESET',
  'EDGEWAY_UPSTREAM_TIMEOUT',
  'EDGEWAY_UPSTREAM_PROTOCOL',
  'EDGEWAY_UPSTREAM_TLS',
  'EDGEWAY_UPSTREAM_SEND_TIMEOUT',
]);

export class Member implements UpstreamObserver, Candidate {
  readonly endpoint: ResolvedEndpoint;
  readonly key: string;
  readonly weight: number;
  readonly pool: Pool;
  /** `address:port`, for logs. */
  readonly address: string;
  readonly load: EndpointState;
  readonly #set: UpstreamSet;
  /** Pools with a route's own connect timeout, by that timeout; null when every route uses the default. */
  readonly #timed: ReadonlyMap<number, Pool> | null;

  constructor(
    endpoint: ResolvedEndpoint,
    origin: string,
    address: string,
    pool: Pool,
    state: EndpointState,
    set: UpstreamSet,
    timed: ReadonlyMap<number, Pool> | null = null,
  ) {
    this.endpoint = endpoint;
    this.key = origin;
    this.weight = endpoint.weight ?? 1;
    this.pool = pool;
    this.address = address;
    this.load = state;
    this.#set = set;
    this.#timed = timed;
  }

  /** The pool for a route's connect timeout (0 = the default pool); bound with the snapshot, so always present. */
  poolFor(connectTimeoutMs: number): Pool {
    return connectTimeoutMs === 0 ? this.pool : (this.#timed?.get(connectTimeoutMs) ?? this.pool);
  }

  /** Called by the entrypoint as the request is dispatched to this member. */
  begin(): void {
    this.load.inFlight++;
  }

  upstreamHeaders(status: number, started: number, now: number): void {
    this.load.observeLatency(now - started, now);
    if (status >= 500) this.#set.failed(this);
    else this.load.succeeded();
  }

  upstreamFailed(code: Code): void {
    if (ENDPOINT_FAILURES.has(code)) this.#set.failed(this);
  }

  upstreamDone(): void {
    this.load.inFlight--;
  }
}

export interface LocalityConfig extends PlanSettings {
  readonly self: LocalitySelf;
}

export class UpstreamSet {
  readonly backend: Backend;
  readonly balancer: Balancer;
  readonly members: readonly Member[];
  /** In-flight counters and retry budget of the backend (circuit limits, retries); kept across reloads by key. */
  readonly runtime: BackendRuntime;
  readonly #board: EndpointStates;
  readonly #locality: LocalityConfig;
  #version = -1;
  #plan: LocalityPlan = { levels: [], panic: false, reason: 'not planned yet' };
  #sets: readonly CandidateSet[] = [];
  /** Cumulative shares of #sets, for the level draw. */
  #shares: Float64Array = new Float64Array(0);

  constructor(
    backend: Backend,
    balancer: Balancer,
    board: EndpointStates,
    locality: LocalityConfig,
    member: (endpoint: ResolvedEndpoint, set: UpstreamSet) => Member,
    runtime: BackendRuntime = new BackendRuntime(DEFAULT_SETTINGS),
  ) {
    this.backend = backend;
    this.runtime = runtime;
    this.balancer = balancer;
    this.#board = board;
    this.#locality = locality;
    this.members = backend.ready.map((e) => member(e, this));
  }

  /** The member for this request, or null when no endpoint may take it. */
  pick(ctx: PickContext): Member | null {
    if (this.#version !== this.#board.version) this.#replan();
    const sets = this.#sets;
    let set = sets[0];
    if (sets.length > 1) {
      const x = Math.random();
      const shares = this.#shares;
      for (let i = 0; i < sets.length; i++) {
        if (x < shares[i]!) {
          set = sets[i];
          break;
        }
      }
      set ??= sets[sets.length - 1];
    }
    if (set === undefined) return null;
    const index = this.balancer.pick(set, ctx);
    return index === -1 ? null : (set.items[index] as Member);
  }

  /** The plan now in force (recomputed first if health changed), for the admin API. */
  get plan(): LocalityPlan {
    if (this.#version !== this.#board.version) this.#replan();
    return this.#plan;
  }

  failed(member: Member): void {
    const board = this.#board;
    if (!member.load.failed(board.outlier)) return;
    const now = Date.now();
    if (member.load.ejected(now)) return;
    let ejected = 0;
    for (const m of this.members) if (m.load.ejected(now)) ejected++;
    if (mayEject(ejected, this.members.length, board.outlier)) member.load.eject(now, board.outlier);
  }

  #replan(): void {
    this.#version = this.#board.version;
    const now = Date.now();
    const members = this.members;
    const plan = planLocality(
      members.map((m) => ({ zone: m.endpoint.zone, region: m.endpoint.region, weight: m.weight, healthy: m.load.healthy(now) })),
      this.#locality.self,
      this.backend.distribution,
      this.#locality,
    );
    this.#plan = plan;
    this.#sets = plan.levels.map((l) => new CandidateSet(l.members.map((i) => members[i]!)));
    this.#shares = new Float64Array(plan.levels.length);
    let total = 0;
    plan.levels.forEach((l, i) => {
      total += l.share;
      this.#shares[i] = total;
    });
  }
}
