/**
 * Which endpoints serve a backend, and in what shares, given where edgeway runs and which endpoints are healthy.
 * Pure: the upstream set (upstream-set.ts) calls it whenever health changes and keeps the result until the next
 * change, so no request pays for it.
 *
 * The rule (Envoy's priority levels with its overprovisioning factor):
 * - Endpoints fall into levels by locality: edgeway's own zone, then the rest of its region, then anywhere else
 *   (including endpoints whose zone is unknown). Without a zone for edgeway, or for a Service that opted out,
 *   there is one level.
 * - A level's health h = min(1, overprovisioning × healthy weight / total weight). With the default factor 1.4, a
 *   zone with 72% or more of its weight healthy still takes all traffic; below that it takes h and the remainder
 *   spills to the next level, and so on: a weighted spill-over, not a cliff.
 * - The levels' shares are normalised to sum to 1 when the levels together are less than fully healthy.
 * - Panic: when the summed health of all levels is below the panic threshold, health is ignored and all endpoints
 *   (of the allowed levels) share the traffic by weight: better to try endpoints that may be up than to refuse all.
 * - `Local` (internalTrafficPolicy: Local) allows only edgeway's zone, without spill-over.
 */
import type { Distribution } from '../../snapshot/balancing-policy.ts';

export interface LocalitySelf {
  readonly zone: string | null;
  readonly region: string | null;
}

export interface LocalityMember {
  readonly zone: string | undefined;
  readonly region: string | undefined;
  readonly weight: number;
  readonly healthy: boolean;
}

export interface PlanSettings {
  readonly overprovisioningFactor: number;
  /** 0..100. */
  readonly panicThresholdPercent: number;
}

export type LevelName = 'zone' | 'region' | 'any';

export interface LevelPlan {
  readonly level: LevelName;
  /** Indexes into the members given: the healthy ones, or all of the level's in panic. */
  readonly members: readonly number[];
  /** Share of requests, 0..1; the shares of a plan sum to 1 (or there are no levels). */
  readonly share: number;
}

export interface LocalityPlan {
  readonly levels: readonly LevelPlan[];
  readonly panic: boolean;
  /** One line for the admin API: who serves and why. */
  readonly reason: string;
}

export function levelOf(m: Pick<LocalityMember, 'zone' | 'region'>, self: LocalitySelf, distribution: Distribution): LevelName | null {
  if (self.zone === null || distribution === 'Spread') return 'any';
  if (m.zone === self.zone) return 'zone';
  if (distribution === 'Local') return null;
  if (self.region !== null && m.region === self.region) return 'region';
  return 'any';
}

const ORDER: readonly LevelName[] = ['zone', 'region', 'any'];

export function planLocality(members: readonly LocalityMember[], self: LocalitySelf, distribution: Distribution, s: PlanSettings): LocalityPlan {
  const byLevel = new Map<LevelName, number[]>();
  members.forEach((m, i) => {
    const level = levelOf(m, self, distribution);
    if (level === null) return;
    let list = byLevel.get(level);
    if (list === undefined) byLevel.set(level, (list = []));
    list.push(i);
  });
  const levels = ORDER.filter((l) => byLevel.has(l)).map((level) => {
    const all = byLevel.get(level)!;
    const healthy = all.filter((i) => members[i]!.healthy);
    const total = sum(all, members);
    const up = sum(healthy, members);
    return { level, all, healthy, health: total === 0 ? 0 : Math.min(1, (s.overprovisioningFactor * up) / total), up: healthy.length };
  });
  if (levels.length === 0)
    return {
      levels: [],
      panic: false,
      reason: distribution === 'Local' ? `no endpoint in zone ${self.zone ?? '?'} (internalTrafficPolicy: Local)` : 'no endpoints',
    };

  const totalHealth = Math.min(
    1,
    levels.reduce((a, l) => a + l.health, 0),
  );
  const describe = levels.map((l) => `${label(l.level, self)} ${l.up}/${l.all.length} healthy`).join(', ');
  if (totalHealth * 100 < s.panicThresholdPercent || totalHealth === 0) {
    const everyone = levels.flatMap((l) => l.all).sort((a, b) => a - b);
    return {
      levels: [{ level: levels.length === 1 ? levels[0]!.level : 'any', members: everyone, share: 1 }],
      panic: true,
      reason: `panic: ${describe}; health ${Math.round(totalHealth * 100)}% is below the panic threshold ${s.panicThresholdPercent}%, so every endpoint is used`,
    };
  }
  let remaining = 1;
  const planned: LevelPlan[] = [];
  for (const l of levels) {
    const share = Math.min(l.health, remaining);
    remaining -= share;
    if (share > 0) planned.push({ level: l.level, members: l.healthy, share });
  }
  const total = planned.reduce((a, l) => a + l.share, 0);
  const normalised = planned.map((l) => ({ ...l, share: l.share / total }));
  const serving = normalised.map((l) => `${label(l.level, self)} ${Math.round(l.share * 1000) / 10}%`).join(', ');
  return { levels: normalised, panic: false, reason: `serving ${serving} (${describe})` };
}

function sum(indexes: readonly number[], members: readonly LocalityMember[]): number {
  let total = 0;
  for (const i of indexes) total += members[i]!.weight;
  return total;
}

function label(level: LevelName, self: LocalitySelf): string {
  if (level === 'zone') return `zone ${self.zone ?? '?'}`;
  if (level === 'region') return `region ${self.region ?? '?'}`;
  return self.zone === null ? 'all' : 'elsewhere';
}
