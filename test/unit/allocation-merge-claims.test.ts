/**
 * mergeClaims, as a table: the shared document read (records, holders, revision), this replica's compiled records
 * and store, and the document it saves.
 */
import test from 'ava';
import type { ServiceRecord } from '../../src/allocation/allocation-state.ts';
import { mergeClaims, type ServiceOrigin, serviceOrigins } from '../../src/allocation/merge-claims.ts';
import { EMPTY_SHARED_ALLOCATION, type SharedAllocation } from '../../src/allocation/shared-allocation.ts';
import { API_ORIGIN } from '../../src/config/loaded-object.ts';
import { loaded, service } from '../fixtures/allocation-fixtures.ts';

/** A record told apart by its one ClusterIP's last byte. */
function rec(n: number): ServiceRecord {
  return { clusterIPs: [`10.96.0.${n}`], nodePorts: [], loadBalancer: null };
}

interface Case {
  readonly name: string;
  /** The document read: key → [record number, holders]. */
  readonly read: Readonly<Record<string, readonly [number, readonly string[]]>>;
  readonly revision: number;
  /** This replica's compiled records: key → record number. */
  readonly compiled: Readonly<Record<string, number>>;
  /** This replica's store: key → origin. */
  readonly store: Readonly<Record<string, ServiceOrigin>>;
  readonly apiSeen: number;
  /** The document expected: key → [record number, holders]. */
  readonly expected: Readonly<Record<string, readonly [number, readonly string[]]>>;
}

const cases: Case[] = [
  {
    name: 'first claim into an empty document',
    read: {},
    revision: 0,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'local' },
    apiSeen: 0,
    expected: { 'd/a': [1, ['r1']] },
  },
  {
    name: 'an API Service is held by api, not by the replica',
    read: {},
    revision: 0,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'api' },
    apiSeen: 0,
    expected: { 'd/a': [1, ['api']] },
  },
  {
    name: 'a file Service another replica holds too gains this replica as holder; its record is ours',
    read: { 'd/a': [1, ['r2']] },
    revision: 5,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'local' },
    apiSeen: 5,
    expected: { 'd/a': [1, ['r1', 'r2']] },
  },
  {
    name: 'holding again changes nothing',
    read: { 'd/a': [1, ['r1']] },
    revision: 5,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'local' },
    apiSeen: 5,
    expected: { 'd/a': [1, ['r1']] },
  },
  {
    name: 'a recompiled record replaces the one read',
    read: { 'd/a': [1, ['r1']] },
    revision: 5,
    compiled: { 'd/a': 2 },
    store: { 'd/a': 'local' },
    apiSeen: 5,
    expected: { 'd/a': [2, ['r1']] },
  },
  {
    name: "another replica's file Service is kept as read",
    read: { 'd/b': [2, ['r2']] },
    revision: 5,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'local' },
    apiSeen: 5,
    expected: { 'd/a': [1, ['r1']], 'd/b': [2, ['r2']] },
  },
  {
    name: 'a file Service removed from our files only: released when we were its last holder',
    read: { 'd/a': [1, ['r1']] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 5,
    expected: {},
  },
  {
    name: 'a file Service removed from our files, another replica still holds it',
    read: { 'd/a': [1, ['r1', 'r2']] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 5,
    expected: { 'd/a': [1, ['r2']] },
  },
  {
    name: 'a deleted API Service, seen up to the document revision: released',
    read: { 'd/a': [1, ['api']] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 5,
    expected: {},
  },
  { name: 'seen beyond the document revision: released too', read: { 'd/a': [1, ['api']] }, revision: 5, compiled: {}, store: {}, apiSeen: 9, expected: {} },
  {
    name: 'an API Service not seen yet (view behind the document): kept',
    read: { 'd/a': [1, ['api']] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 4,
    expected: { 'd/a': [1, ['api']] },
  },
  {
    name: 'a deleted API Service that a replica file still defines: api lets go, the replica keeps it',
    read: { 'd/a': [1, ['api', 'r2']] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 5,
    expected: { 'd/a': [1, ['r2']] },
  },
  {
    name: 'an API Service here that holds nothing (rejected): api lets go',
    read: { 'd/a': [1, ['api']] },
    revision: 5,
    compiled: {},
    store: { 'd/a': 'api' },
    apiSeen: 0,
    expected: {},
  },
  {
    name: 'a file Service here that holds nothing: this replica lets go, api is left alone',
    read: { 'd/a': [1, ['api', 'r1']] },
    revision: 5,
    compiled: {},
    store: { 'd/a': 'local' },
    apiSeen: 5,
    expected: { 'd/a': [1, ['api']] },
  },
  {
    name: 'a file Service now written through the API: held by api, no longer by this replica',
    read: { 'd/a': [1, ['r1']] },
    revision: 5,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'api' },
    apiSeen: 5,
    expected: { 'd/a': [1, ['api']] },
  },
  {
    name: 'a record with no holders at all (a plain save) is released',
    read: { 'd/a': [1, []] },
    revision: 5,
    compiled: {},
    store: {},
    apiSeen: 0,
    expected: {},
  },
  {
    name: 'keys come out sorted whatever order they came in',
    read: { 'd/z': [3, ['r2']], 'd/m': [2, ['api']] },
    revision: 5,
    compiled: { 'd/a': 1 },
    store: { 'd/a': 'local' },
    apiSeen: 1,
    expected: { 'd/a': [1, ['r1']], 'd/m': [2, ['api']], 'd/z': [3, ['r2']] },
  },
];

function documentOf(table: Case['read']): SharedAllocation {
  const entries = Object.entries(table);
  return {
    version: 1,
    services: Object.fromEntries(entries.map(([k, [n]]) => [k, rec(n)])),
    holders: Object.fromEntries(entries.filter(([, [, h]]) => h.length > 0).map(([k, [, h]]) => [k, h])),
  };
}

for (const c of cases) {
  test(`mergeClaims: ${c.name}`, (t) => {
    const merged = mergeClaims(
      { document: documentOf(c.read), revision: c.revision },
      { version: 1, services: Object.fromEntries(Object.entries(c.compiled).map(([k, n]) => [k, rec(n)])) },
      { replica: 'r1', origins: new Map(Object.entries(c.store)), apiSeenRevision: c.apiSeen },
    );
    t.deepEqual(merged, documentOf(c.expected));
    t.deepEqual(Object.keys(merged.services), Object.keys(merged.services).sort());
  });
}

test('mergeClaims: pure, the inputs are left as they were', (t) => {
  const document = documentOf({ 'd/a': [1, ['r1', 'r2']] });
  const before = JSON.stringify(document);
  mergeClaims({ document, revision: 3 }, { version: 1, services: {} }, { replica: 'r1', origins: new Map(), apiSeenRevision: 3 });
  t.is(JSON.stringify(document), before);
  t.deepEqual(
    mergeClaims({ document: EMPTY_SHARED_ALLOCATION, revision: 0 }, { version: 1, services: {} }, { replica: 'r1', origins: new Map(), apiSeenRevision: 0 }),
    EMPTY_SHARED_ALLOCATION,
  );
});

test('serviceOrigins: API objects are api, files and anything else local', (t) => {
  const fromApi = { ...loaded(service('web')), origin: API_ORIGIN };
  const origins = serviceOrigins([fromApi, loaded(service('file', { namespace: 'x' }))]);
  t.deepEqual(
    [...origins],
    [
      ['default/web', 'api'],
      ['x/file', 'local'],
    ],
  );
});
