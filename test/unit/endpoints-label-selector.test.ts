import test from 'ava';
import { matchesLabelSelector, matchesSelector } from '../../src/controllers/label-selector.ts';
import type { LabelSelector } from '../../src/k8s/types.ts';

type Labels = Record<string, string> | undefined;

test('Service selectors: every key/value must be present', (t) => {
  const table: readonly [Labels, Record<string, string>, boolean][] = [
    [{ app: 'web' }, { app: 'web' }, true],
    [{ app: 'web', tier: 'fe' }, { app: 'web' }, true],
    [{ app: 'web' }, { app: 'web', tier: 'fe' }, false],
    [{ app: 'api' }, { app: 'web' }, false],
    [{ App: 'web' }, { app: 'web' }, false],
    [undefined, { app: 'web' }, false],
    [{ app: '' }, { app: '' }, true],
    [{}, { app: '' }, false],
    // Not a prototype lookup:
    [{}, { constructor: 'x' }, false],
    // An empty selector selects everything here; resolve-backend treats such a Service as selectorless.
    [{ app: 'web' }, {}, true],
    [undefined, {}, true],
  ];
  for (const [labels, selector, expected] of table) {
    t.is(matchesSelector(labels, selector), expected, `${JSON.stringify(labels)} ~ ${JSON.stringify(selector)}`);
  }
});

test('LabelSelector: matchLabels and matchExpressions are ANDed', (t) => {
  const labels = { app: 'web', tier: 'frontend', env: 'prod' };
  const table: readonly [Labels, LabelSelector, boolean][] = [
    [labels, {}, true],
    [undefined, {}, true],
    [labels, { matchLabels: { app: 'web' } }, true],
    [labels, { matchLabels: { app: 'api' } }, false],
    [labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'backend'] }] }, true],
    [labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, false],
    [labels, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    [labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, false],
    [labels, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, true],
    [labels, { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    [labels, { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    [labels, { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, true],
    [labels, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    [labels, { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    [labels, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, false],
    [undefined, { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, true],
    [
      labels,
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod'] },
          { key: 'x', operator: 'Exists' },
        ],
      },
      false,
    ],
    [
      labels,
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod'] },
          { key: 'x', operator: 'DoesNotExist' },
        ],
      },
      true,
    ],
  ];
  for (const [l, selector, expected] of table) {
    t.is(matchesLabelSelector(l, selector), expected, JSON.stringify(selector));
  }
});
