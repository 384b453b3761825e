/** The locality rule as a table: which levels serve and with what share, for edgeway in zone a1 of region r1. */
import test from 'ava';
import { planLocality, type LocalityMember } from '../../src/dataplane/locality/locality-plan.ts';
import type { Distribution } from '../../src/snapshot/balancing-policy.ts';

const self = { zone: 'a1', region: 'r1' };
const settings = { overprovisioningFactor: 1.4, panicThresholdPercent: 50 };
const m = (zone: string, region: string, healthy = true, weight = 1): LocalityMember => ({ zone, region, healthy, weight });

interface Row {
  readonly name: string;
  readonly members: readonly LocalityMember[];
  readonly distribution?: Distribution;
  readonly self?: { zone: string | null; region: string | null };
  /** level → share (rounded to 3 places), in order. */
  readonly want: readonly [string, number][];
  readonly panic?: boolean;
}

const A = (h = true): LocalityMember => m('a1', 'r1', h);
const B = (h = true): LocalityMember => m('b1', 'r1', h);
const C = (h = true): LocalityMember => m('c1', 'r2', h);

const rows: readonly Row[] = [
  { name: 'all healthy: the own zone takes everything', members: [A(), A(), B(), C()], want: [['zone', 1]] },
  {
    name: 'one of two local endpoints down: 0.5 × 1.4 = 70% stay local, 30% spill to the region',
    members: [A(), A(false), B(), C()],
    want: [
      ['zone', 0.7],
      ['region', 0.3],
    ],
  },
  { name: '3 of 4 healthy is above 1/1.4: still all local', members: [A(), A(), A(), A(false), B()], want: [['zone', 1]] },
  { name: 'zone dead: the region takes it', members: [A(false), A(false), B(), B(), C()], want: [['region', 1]] },
  { name: 'zone and region dead: elsewhere', members: [A(false), B(false), C(), C()], want: [['any', 1]] },
  { name: 'no own-zone endpoints at all: the region', members: [B(), C()], want: [['region', 1]] },
  {
    name: 'half the region, zone dead: 70% region, 30% elsewhere',
    members: [A(false), B(), B(false), C()],
    want: [
      ['region', 0.7],
      ['any', 0.3],
    ],
  },
  { name: 'Spread ignores locality', members: [A(), B(), C()], distribution: 'Spread', want: [['any', 1]] },
  { name: 'no own zone known: one level', members: [A(), B(), C()], self: { zone: null, region: null }, want: [['any', 1]] },
  { name: 'Local: only the own zone, no spill-over', members: [A(), A(false), B(), C()], distribution: 'Local', want: [['zone', 1]] },
  {
    name: 'Local with the zone dead: panic within the zone (never another zone)',
    members: [A(false), B(), C()],
    distribution: 'Local',
    want: [['zone', 1]],
    panic: true,
  },
  {
    name: 'panic: 1 of 4 healthy (35% < 50%) uses every endpoint',
    members: [A(false), A(false), B(false), C()],
    distribution: 'Spread',
    want: [['any', 1]],
    panic: true,
  },
  {
    name: 'weights count: the healthy local endpoint has 3 of 4 weight → 100%',
    members: [m('a1', 'r1', true, 3), m('a1', 'r1', false, 1), B()],
    want: [['zone', 1]],
  },
];

for (const row of rows) {
  test(`locality: ${row.name}`, (t) => {
    const plan = planLocality(row.members, row.self ?? self, row.distribution ?? 'PreferClose', settings);
    t.deepEqual(
      plan.levels.map((l) => [l.level, Math.round(l.share * 1000) / 1000]),
      row.want.map(([l, s]) => [l, s]),
    );
    t.is(plan.panic, row.panic ?? false);
    t.true(plan.reason.length > 0);
    if (!plan.panic) for (const l of plan.levels) for (const i of l.members) t.true(row.members[i]!.healthy);
  });
}

test('locality: panic lists every endpoint, healthy or not', (t) => {
  const members = [A(false), A(false), B(false), C()];
  const plan = planLocality(members, self, 'Spread', settings);
  t.deepEqual(plan.levels[0]!.members, [0, 1, 2, 3]);
  t.regex(plan.reason, /panic/);
});
