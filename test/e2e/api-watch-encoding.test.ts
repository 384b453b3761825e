/**
 * Watch events are encoded once for every watcher of a batch (watch-stream.ts): the shared lines must not mix the
 * forms watchers asked for. Several watches of one EventHistory, each in its own form (JSON, Table with the object's
 * metadata, Table with the whole object), hear one appended event; each gets the line of its form, and watchers of
 * the same form get the same line. A watch opened after the batch, replaying it, gets a Table made anew.
 */
import test, { type ExecutionContext } from 'ava';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListQuery, type ListQuery } from '../../src/api/query/list-query.ts';
import { EMPTY_VIEW } from '../../src/api/storage/served-view.ts';
import { EventHistory } from '../../src/api/watch/event-history.ts';
import { serveWatch } from '../../src/api/watch/watch-stream.ts';
import { kindEntryOf } from '../../src/k8s/kinds.ts';
import type { KubeObject } from '../../src/k8s/types.ts';

const SERVICE = kindEntryOf('Service')!;

const web: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '6', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { type: 'ClusterIP', clusterIP: '10.0.0.9', ports: [{ port: 80, protocol: 'TCP' }] },
};

/** A server whose every request is a watch of `history` from version 5, in the form named by ?form=. */
async function watchServer(t: ExecutionContext, history: EventHistory): Promise<string> {
  const server: Server = createServer((req, res) => {
    const form = new URL(req.url ?? '/', 'http://x').searchParams.get('form');
    const query = parseListQuery('Service', new URLSearchParams('watch=1&resourceVersion=5')) as ListQuery;
    serveWatch(res, history, EMPTY_VIEW, { entry: SERVICE, namespace: undefined, query, table: form === 'json' ? null : (form as 'Metadata' | 'Object') });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Opens a watch and resolves with its first line. */
function firstLine(t: ExecutionContext, url: string): { opened: Promise<void>; line: Promise<string> } {
  let opened!: () => void;
  const openedP = new Promise<void>((resolve) => (opened = resolve));
  const line = new Promise<string>((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      opened();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const nl = buffer.indexOf('\n');
        if (nl >= 0) resolve(buffer.slice(0, nl));
      });
    });
    req.on('error', reject);
    req.end();
    t.teardown(() => req.destroy());
  });
  return { opened: openedP, line };
}

test('one batch: each watcher gets its own form, watchers of a form the same line', async (t) => {
  const history = new EventHistory(10, 5);
  const url = await watchServer(t, history);
  const watches = ['json', 'Metadata', 'Metadata', 'Object', 'json'].map((form) => firstLine(t, `${url}?form=${form}`));
  await Promise.all(watches.map((w) => w.opened));
  t.is(history.watchers, 5);
  history.append([{ type: 'ADDED', object: web, previous: null, resourceVersion: 6 }], 6);
  const [json1, meta1, meta2, whole, json2] = await Promise.all(watches.map((w) => w.line));

  t.is(json1, json2);
  t.deepEqual(JSON.parse(json1!), { type: 'ADDED', object: web });
  t.is(meta1, meta2);
  const metaTable = JSON.parse(meta1!) as { type: string; object: { kind: string; rows: { cells: unknown[]; object: unknown }[] } };
  t.is(metaTable.type, 'ADDED');
  t.is(metaTable.object.kind, 'Table');
  t.deepEqual(metaTable.object.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: web.metadata });
  t.is(metaTable.object.rows[0]!.cells[0], 'web');
  const wholeTable = JSON.parse(whole!) as typeof metaTable;
  t.deepEqual(wholeTable.object.rows[0]!.object, web);
  t.deepEqual(wholeTable.object.rows[0]!.cells, metaTable.object.rows[0]!.cells);

  // A watch opened later replays the kept event as a Table of its own.
  const late = firstLine(t, `${url}?form=Metadata`);
  const replayed = JSON.parse(await late.line) as typeof metaTable;
  t.deepEqual(replayed.object.rows[0]!.object, metaTable.object.rows[0]!.object);
});
