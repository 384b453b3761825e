/**
 * Hostile YAML is refused before it is parsed: nesting deeper than the limit (flow `[[[…`, block `- - -…`, nested
 * mappings) and documents over the size limit, each as one diagnostic with its position, while ordinary manifests
 * (quoted brackets, block scalars, deep but sane objects) pass.
 */
import test from 'ava';
import { loadConfigText } from '../../src/config/load-config.ts';
import { ParseCache } from '../../src/config/parse-cache.ts';
import { DEFAULT_SETTINGS } from '../../src/config/settings-defaults.ts';
import { DEFAULT_YAML_LIMITS, yamlLimitProblem } from '../../src/config/yaml-limits.ts';
import { docs, ingress, INGRESS_CLASS, serviceWithEndpoints } from '../helpers/manifests.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    note: "brackets [[[[ in a quoted string {{{{"
    other: 'single [[[[ quoted '' still {{{{'
spec:
  template:
    spec:
      containers:
      - name: web
        args: ["--flag", "[x]", {a: [1, 2]}]
        command:
        - - nested
          - - deeper
        livenessProbe:
          httpGet: {path: "/healthz[", port: 80}
        script: |
          [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
          {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{
        path: /a[0]/{b} # comment [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
`;

test('ordinary manifests are within the limits', (t) => {
  for (const text of [
    DEPLOYMENT,
    docs(INGRESS_CLASS, serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 80 }]), ingress('i', [{ host: 'a.test', path: '/', service: 'web' }])),
  ]) {
    t.is(yamlLimitProblem(text), undefined);
  }
  t.is(yamlLimitProblem(`a: ${'['.repeat(40)}${']'.repeat(40)}\n`), undefined);
});

const nestedMaps = (levels: number): string => Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' end\n';

test('nesting deeper than the limit is refused, flow or block, with where it goes over', (t) => {
  const cases: [string, string][] = [
    ['flow sequences', `a: ${'['.repeat(1_000_000)}`],
    ['flow mappings', `${'{a: '.repeat(200)}1${'}'.repeat(200)}`],
    ['compact block sequences', `${'- '.repeat(1_000_000)}x\n`],
    ['nested mappings', nestedMaps(100)],
  ];
  for (const [name, text] of cases) {
    const problem = yamlLimitProblem(text);
    t.is(problem?.code, 'EW_YAML_TOO_DEEP', name);
    t.true((problem?.line ?? 0) >= 1 && (problem?.column ?? 0) >= 1, name);
  }
  t.is(yamlLimitProblem(nestedMaps(100))?.line, 65, 'the 65th level is the first over 64');
  t.is(yamlLimitProblem(nestedMaps(40)), undefined);
  t.is(yamlLimitProblem(`a: ${'['.repeat(100)}`, { maxDepth: 200, maxDocumentChars: 1000 }), undefined);
});

test('a document over the size limit is refused', (t) => {
  const problem = yamlLimitProblem(`a: ${'x'.repeat(100)}\n`, { maxDepth: 64, maxDocumentChars: 50 });
  t.is(problem?.code, 'EW_FILE_TOO_LARGE');
});

test('the loader reports a 2 MB nested document as one EW_YAML_TOO_DEEP error with file and line, and the file as fatal', (t) => {
  const hostile = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`;
  const load = loadConfigText([{ path: 'deep.yaml', text: docs(serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 80 }]), hostile) }]);
  t.true(load.fatal);
  const deep = load.diagnostics.filter((d) => d.code === 'EW_YAML_TOO_DEEP');
  t.is(deep.length, 1);
  t.is(deep[0]!.position?.file, 'deep.yaml');
  t.true((deep[0]!.position?.line ?? 0) > 1);
});

test("the YAML limits are settings: the defaults are the schema's, a load applies the ones it is given, and a cache reparses under new ones", (t) => {
  t.deepEqual(DEFAULT_SETTINGS.yamlLimits, DEFAULT_YAML_LIMITS);
  const settingsDoc = 'apiVersion: edgeway.io/v1alpha1\nkind: EdgewaySettings\nmetadata: {name: s}\nspec:\n  yaml: {maxDepth: 100, maxDocumentChars: 65536}\n';
  t.deepEqual(loadConfigText([{ path: 's.yaml', text: settingsDoc }]).settings.yamlLimits, { maxDepth: 100, maxDocumentChars: 65536 });

  const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  a: "${'['.repeat(10)}"\n${nestedMaps(20).replace(/^/gm, '  ')}`;
  const cache = new ParseCache();
  const strict = loadConfigText([{ path: 'd.yaml', text: deep }], { cache, yamlLimits: { maxDepth: 12, maxDocumentChars: 1 << 20 } });
  t.true(strict.fatal);
  t.is(strict.diagnostics[0]?.code, 'EW_YAML_TOO_DEEP');
  const relaxed = loadConfigText([{ path: 'd.yaml', text: deep }], { cache });
  t.false(relaxed.fatal, 'the same text in the same cache is parsed again under the default limits');
  const small = loadConfigText([{ path: 'd.yaml', text: deep }], { cache, yamlLimits: { maxDepth: 64, maxDocumentChars: 1024 } });
  t.false(small.fatal);
  const large = loadConfigText([{ path: 'd.yaml', text: `${deep}# ${'x'.repeat(2000)}\n` }], { cache, yamlLimits: { maxDepth: 64, maxDocumentChars: 1024 } });
  t.is(large.diagnostics[0]?.code, 'EW_FILE_TOO_LARGE');
});
