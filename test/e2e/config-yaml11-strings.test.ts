/**
 * YAML as the API server reads it: a plain value YAML 1.1 takes as a boolean or a number, where a string is required
 * (labels, annotations, selectors), refuses the object with kubectl's message and the field; quoted, it is a string.
 * Then end to end: the refused Service is not served while the rest of the file is.
 */
import test from 'ava';
import { request as httpRequest } from 'node:http';
import { loadConfigText } from '../../src/config/load-config.ts';
import { yaml11TypeOf } from '../../src/config/yaml11-strings.ts';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';

test('yaml11TypeOf: what YAML 1.1 takes as a boolean or a number', (t) => {
  for (const text of ['off', 'Off', 'OFF', 'on', 'yes', 'no', 'y', 'N', 'true', 'False']) t.is(yaml11TypeOf(text), 'bool', text);
  for (const text of ['0x1F', '1_000', '017', '0o17', '0b101', '-5', '+3', '1.5', '.5', '6e3', '1e+5', '.inf', '-.Inf', '.nan'])
    t.is(yaml11TypeOf(text), 'number', text);
  for (const text of ['', 'of', 'yess', 'web', '1.2.3', 'v1', '0x', '1:20', '.', 'nan', '12h']) t.is(yaml11TypeOf(text), undefined, text);
});

const service = (metadata: string, selector = 'app: web'): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n${metadata}spec:\n  selector:\n    ${selector}\n  ports: [{port: 80}]\n`;

test('unquoted off, yes, 0x1F and 1_000 in labels, annotations and a selector are errors naming the field', (t) => {
  const text = service('  labels:\n    enabled: off\n    tier: "yes"\n  annotations:\n    example.com/mask: 0x1F\n    example.com/count: 1_000\n', 'canary: y');
  const load = loadConfigText([{ path: 'svc.yaml', text }]);
  t.deepEqual(
    load.objects.map((o) => o.object.kind),
    [],
  );
  const errors = load.diagnostics.filter((d) => d.code === 'EW_FIELD_TYPE');
  t.deepEqual(
    errors.map((d) => `${d.object ?? ''} ${d.field ?? ''} ${d.position?.line ?? 0}`),
    [
      'Service default/web metadata.labels.enabled 6',
      'Service default/web metadata.annotations.example.com/mask 9',
      'Service default/web metadata.annotations.example.com/count 10',
      'Service default/web spec.selector.canary 13',
    ],
  );
  t.is(
    errors[0]?.message,
    'Service cannot be handled as a Service: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string (YAML 1.1, which kubectl and the API server read, takes the unquoted off as a boolean); quote it: "off"',
  );
  t.regex(errors[1]?.message ?? '', /cannot unmarshal number into Go struct field ObjectMeta\.metadata\.annotations of type string/);
  t.regex(errors[3]?.message ?? '', /Go struct field Service\.spec\.selector of type string/);
});

test('quoted and block-scalar values are strings, as they are for kubectl', (t) => {
  const text = service(
    '  labels:\n    enabled: "off"\n    tier: \'yes\'\n  annotations:\n    example.com/mask: |-\n      0x1F\n    example.com/note: offline\n',
  );
  const load = loadConfigText([{ path: 'svc.yaml', text }]);
  t.deepEqual(
    load.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  t.deepEqual(
    load.objects.map((o) => o.object.metadata.labels),
    [{ enabled: 'off', tier: 'yes' }],
  );
});

test('end to end: the Service with an unquoted "on" label is not served; the rest of the file is', async (t) => {
  const backend = await listen(t, (_req, res) => res.end('ok'));
  const bad = serviceWithEndpoints('bad', [{ ip: '127.0.0.1', port: backend.port }]).replace(
    '  namespace: default\nspec:',
    '  namespace: default\n  labels:\n    feature: on\nspec:',
  );
  const gw = await startEdgeway(
    t,
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('good', [{ ip: '127.0.0.1', port: backend.port }]),
      bad,
      ingress('web', [
        { host: 'good.test', path: '/', service: 'good' },
        { host: 'bad.test', path: '/', service: 'bad' },
      ]),
    ),
  );
  const status = (host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(`${gw.url}/`, { headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  t.is(await status('good.test'), 200);
  t.is(await status('bad.test'), 503);
  const report = JSON.parse((await httpGet(`${gw.adminUrl}/config/status`)).text) as {
    diagnostics: { code: string; object?: string; field?: string; message: string }[];
  };
  const found = report.diagnostics.find((d) => d.code === 'EW_FIELD_TYPE');
  t.is(found?.object, 'Service default/bad');
  t.is(found?.field, 'metadata.labels.feature');
  t.regex(found?.message ?? '', /cannot unmarshal bool into Go struct field ObjectMeta\.metadata\.labels of type string/);
});
