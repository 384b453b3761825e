import test from 'ava';
import { formatFieldPath } from '../src/config/diagnostic.ts';

test('field paths are written like kubectl', (t) => {
  t.is(formatFieldPath(['spec', 'rules', 0, 'http', 'paths', 1, 'pathType']), 'spec.rules[0].http.paths[1].pathType');
});
