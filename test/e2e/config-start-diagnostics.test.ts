/**
 * Configuration faults found at start reach the admin API: load diagnostics (an Ingress in an apiVersion edgeway
 * does not read) are listed by GET /config/status, and a corrupt applied-objects file in the state directory is
 * reported (EW_APPLIED_CORRUPT), kept aside under a timestamped name, and what could be read of it is served.
 */
import test from 'ava';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPLIED_FILE } from '../../src/store/applied-layer.ts';
import { startEdgeway, tempDir } from '../helpers/edgeway.ts';
import { httpGet } from '../helpers/http.ts';
import { docs, INGRESS_CLASS, serviceWithEndpoints, settings } from '../helpers/manifests.ts';

interface Status {
  readonly diagnostics: readonly { code: string; severity: string; object?: string; text: string }[];
}

const OLD_INGRESS = `apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: old
spec:
  backend:
    serviceName: web
    servicePort: 80
`;

test('GET /config/status lists the diagnostics found when the files were loaded at start', async (t) => {
  const running = await startEdgeway(
    t,
    docs(INGRESS_CLASS, settings('reload: {watch: false}'), serviceWithEndpoints('web', [{ ip: '127.0.0.1', port: 9 }]), OLD_INGRESS),
  );
  t.true(
    running.reports.some((r) => r.includes('EW_API_VERSION_MISMATCH')),
    running.reports.join('\n'),
  );
  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as Status;
  const found = status.diagnostics.find((d) => d.code === 'EW_API_VERSION_MISMATCH');
  t.truthy(found, JSON.stringify(status.diagnostics));
  t.regex(found!.text, /config\.yaml:\d+:\d+/);
  // Still there after a reload of the same files: the status describes the generation serving.
  t.is((await httpGet(`${running.adminUrl}/reload`, {}, 'POST')).status, 200);
  const after = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as Status;
  t.true(
    after.diagnostics.some((d) => d.code === 'EW_API_VERSION_MISMATCH'),
    JSON.stringify(after.diagnostics),
  );
});

test('a corrupt applied-objects file is reported, kept aside with a timestamp, and what can be read is served', async (t) => {
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  await mkdir(state, { recursive: true });
  const corrupt = `apiVersion: v1
kind: Service
metadata:
  name: kept
  namespace: default
spec:
  ports:
  - name: http
    port: 80
---
apiVersion: v1
kind: Service
metadata: {name: [lost
`;
  await writeFile(join(state, APPLIED_FILE), corrupt);
  const running = await startEdgeway(t, docs(INGRESS_CLASS, settings('reload: {watch: false}')), { dir });
  t.true(
    running.reports.some((r) => r.includes('EW_APPLIED_CORRUPT')),
    running.reports.join('\n'),
  );

  const names = await readdir(state);
  const aside = names.filter((n) => n.startsWith(`${APPLIED_FILE}.corrupt-`));
  t.is(aside.length, 1, names.join(', '));
  t.regex(aside[0]!, /\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
  t.is(await readFile(join(state, aside[0]!), 'utf8'), corrupt, 'the corrupt file is kept byte for byte');
  t.regex(await readFile(join(state, APPLIED_FILE), 'utf8'), /name: kept/);

  const status = JSON.parse((await httpGet(`${running.adminUrl}/config/status`)).text) as Status;
  const found = status.diagnostics.find((d) => d.code === 'EW_APPLIED_CORRUPT');
  t.truthy(found, JSON.stringify(status.diagnostics));
  t.is(found!.severity, 'error');
  t.true(found!.text.includes(aside[0]!), found!.text);

  const kept = await httpGet(`${running.adminUrl}/api/v1/namespaces/default/services/kept`);
  t.is(kept.status, 200, kept.text);
});
