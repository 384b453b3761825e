/**
 * UsedMap (the memos' store): an entry survives a sweep exactly when it was read or written since the last one.
 */
import test from 'ava';
import { UsedMap } from '../../src/routing/used-map.ts';

test('sweep keeps what this round used and drops the rest', (t) => {
  const m = new UsedMap<string, number>();
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  m.sweep();
  t.is(m.size, 3);
  t.is(m.get('a'), 1);
  m.set('b', 20);
  t.is(m.get('zz'), undefined);
  m.sweep();
  t.is(m.size, 2);
  t.is(m.get('c'), undefined);
  t.is(m.get('b'), 20);
  t.is(m.get('b'), 20);
  m.sweep();
  t.is(m.size, 1);
  m.sweep();
  t.is(m.size, 0);
});
