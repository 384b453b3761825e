import test from 'ava';
import { compileRoutes } from '../../src/routing/compile-routes.ts';
import { servesIngress } from '../../src/routing/ingress-class.ts';
import type { IngressClass } from '../../src/k8s/types.ts';
import { CONTROLLER, ingress, ingressClass, settings, storeOf } from '../fixtures/routing-fixtures.ts';

const ours = ingressClass('edgeway');
const oursDefault = ingressClass('edgeway-default', CONTROLLER, true);
const theirs = ingressClass('nginx', 'k8s.io/ingress-nginx');
const theirsDefault = ingressClass('nginx-default', 'k8s.io/ingress-nginx', true);

const LEGACY = 'kubernetes.io/ingress.class';

const cases: readonly (readonly [note: string, classes: readonly IngressClass[], className: string | null, annotation: string | undefined, served: boolean])[] =
  [
    ['ingressClassName names our class', [ours, theirs], 'edgeway', undefined, true],
    ["ingressClassName names another controller's class", [ours, theirs], 'nginx', undefined, false],
    ['ingressClassName names a class that does not exist', [ours], 'missing', undefined, false],
    ['ingressClassName names our class while another default exists', [ours, theirsDefault], 'edgeway', undefined, true],
    ['no class, our class is the default', [oursDefault, theirs], null, undefined, true],
    ["no class, another controller's class is the default", [ours, theirsDefault], null, undefined, false],
    ['no class, no default class', [ours, theirs], null, undefined, false],
    ['no class, no IngressClass at all', [], null, undefined, false],
    ['no class, both a default of ours and of another controller', [oursDefault, theirsDefault], null, undefined, true],
    ['a default class does not capture Ingresses naming another class', [oursDefault, theirs], 'nginx', undefined, false],
    ['deprecated annotation names our class', [ours, theirs], null, 'edgeway', true],
    ["deprecated annotation names another controller's class", [ours, theirs], null, 'nginx', false],
    ['deprecated annotation names no IngressClass (a bare word)', [ours], null, 'edgeway-controller', false],
    ['deprecated annotation of another class beats our default class', [oursDefault, theirs], null, 'nginx', false],
    ['the field wins over the deprecated annotation', [ours, theirs], 'edgeway', 'nginx', true],
    ['the field wins over the deprecated annotation, the other way', [ours, theirs], 'nginx', 'edgeway', false],
  ];

for (const [note, classes, className, annotation, served] of cases) {
  test(`IngressClass: ${note}`, (t) => {
    const ing = ingress('web', {}, { className, ...(annotation === undefined ? {} : { annotations: { [LEGACY]: annotation } }) });
    t.is(servesIngress(ing, classes, CONTROLLER), served);
  });
}

test('compileRoutes lists only the Ingresses whose class is ours, sorted by namespace/name', (t) => {
  const store = storeOf(
    theirs,
    ingress('zeta', {}, { namespace: 'b' }),
    ingress('other', {}, { className: 'nginx' }),
    ingress('alpha', {}, { namespace: 'b' }),
    ingress('legacy', {}, { className: null, annotations: { [LEGACY]: 'edgeway' } }),
    ingress('unclassed', {}, { className: null }),
  );
  t.deepEqual(compileRoutes(store, settings()).ingresses, ['b/alpha', 'b/zeta', 'default/legacy']);
});
