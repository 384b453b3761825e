/** The replica's shared-state condition in /config/status: an edgeway.io/ type like every condition edgeway reports. */
import test from 'ava';
import type { SharedStateView } from '../../src/shared/shared-state-health.ts';
import { CONDITION_SHARED_STATE_REACHABLE, sharedStateCondition } from '../../src/status/shared-state-status.ts';

const since = new Date('2026-01-02T03:04:05Z');
const view = (over: Partial<SharedStateView>): SharedStateView => ({
  servers: ['http://127.0.0.1:2379'],
  prefix: '/edgeway',
  reachable: null,
  since,
  lastError: null,
  revision: 0,
  ...over,
});

test('the condition is edgeway.io/SharedStateReachable: Unknown before a probe, then True or False', (t) => {
  t.is(CONDITION_SHARED_STATE_REACHABLE, 'edgeway.io/SharedStateReachable');
  t.deepEqual(sharedStateCondition(view({})), {
    type: 'edgeway.io/SharedStateReachable',
    status: 'Unknown',
    reason: 'NotProbedYet',
    message: 'etcd at http://127.0.0.1:2379 has not been probed yet',
    lastTransitionTime: '2026-01-02T03:04:05.000Z',
  });
  t.like(sharedStateCondition(view({ reachable: true, revision: 7 })), {
    status: 'True',
    reason: 'EtcdReachable',
    message: 'etcd at http://127.0.0.1:2379 answers (revision 7)',
  });
  const down = sharedStateCondition(view({ reachable: false, revision: 7, lastError: { at: since, message: 'ECONNREFUSED' } }));
  t.like(down, { type: 'edgeway.io/SharedStateReachable', status: 'False', reason: 'EtcdUnreachable' });
  t.regex(down.message, /does not answer: ECONNREFUSED; the last good configuration keeps serving \(last revision seen 7\)$/);
});
