/**
 * An ExternalName Service whose target is a Service of the cluster (its full name in the cluster domain, or a bare
 * name of the same namespace) proxies to that Service's endpoints, even with externalName disabled: no outside
 * resolver is asked. It follows the target's endpoints across a reload; a name in the domain that is no Service,
 * or a loop, is a 503 with its reason.
 */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEdgeway } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, ingress, serviceWithEndpoints } from '../helpers/manifests.ts';
import { listen } from '../helpers/servers.ts';

const alias = (name: string, target: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {type: ExternalName, externalName: ${target}, ports: [{name: http, port: 80}]}
`;

test('an ExternalName naming a Service of the cluster proxies to its endpoints and follows them', async (t) => {
  const one = await listen(t, (_req, res) => res.end('one'));
  const two = await listen(t, (_req, res) => res.end('two'));
  const config = (port: number) =>
    docs(
      INGRESS_CLASS,
      serviceWithEndpoints('web', [{ ip: '127.0.0.1', port }]),
      alias('full', 'web.default.svc.cluster.local'),
      alias('bare', 'web'),
      alias('pod', '10-0-0-1.default.pod.cluster.local'),
      alias('loop-a', 'loop-b'),
      alias('loop-b', 'loop-a'),
      ingress('r', [
        { host: 'full.test', path: '/', service: 'full' },
        { host: 'bare.test', path: '/', service: 'bare' },
        { host: 'pod.test', path: '/', service: 'pod' },
        { host: 'loop.test', path: '/', service: 'loop-a' },
      ]),
    );
  const gw = await startEdgeway(t, config(one.port));
  for (const host of ['full.test', 'bare.test']) {
    const reply = await httpGet(`${gw.url}/`, { host });
    t.is(reply.text, 'one', host);
  }
  for (const host of ['pod.test', 'loop.test']) {
    const reply = await httpGet(`${gw.url}/`, { host });
    t.is(reply.status, 503, host);
  }
  t.true(
    gw.edgeway.snapshot.diagnostics.some((d) => d.message.includes('names no Service')),
    JSON.stringify(gw.edgeway.snapshot.diagnostics),
  );
  await writeFile(join(gw.dir, 'config.yaml'), config(two.port));
  t.true((await gw.edgeway.reload('api')).ok);
  t.is((await httpGet(`${gw.url}/`, { host: 'bare.test' })).text, 'two', 'the target endpoints changed, the alias follows');
});
