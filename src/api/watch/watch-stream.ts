/**
 * One watch request (`?watch=1`): a chunked stream of `{"type":…,"object":…}` lines. From resourceVersion N it
 * replays the kept events after N, then follows each batch the history appends; with no version (or "0") it first
 * sends every current object as ADDED, as the API server does. A version older than the history ends the stream
 * with an ERROR event carrying a 410 Expired Status, which clients answer by listing again.
 *
 * Selectors are applied to both sides of a change: an object that stops matching is sent as DELETED, one that
 * starts matching as ADDED. With allowWatchBookmarks, a batch with nothing for this watcher (and a timer, once a
 * minute) sends a BOOKMARK carrying the current version, so a reconnect starts from it. A watcher that does not
 * read its stream is dropped once a few megabytes wait for it: it must never hold events for the others.
 */
import type { ServerResponse } from 'node:http';
import type { KindEntry } from '../../k8s/kind-entry.ts';
import type { KubeObject } from '../../k8s/types.ts';
import { kubeStatus } from '../kube-status.ts';
import { matchesQuery, type ListQuery } from '../query/list-query.ts';
import type { ServedView } from '../storage/served-view.ts';
import { toTable } from '../table/to-table.ts';
import type { EventHistory } from './event-history.ts';
import type { WatchEvent } from './watch-event.ts';

export interface WatchRequest {
  readonly entry: KindEntry;
  readonly namespace: string | undefined;
  readonly query: ListQuery;
  /** Send each object as a one-row Table (kubectl get -w). */
  readonly table: TableForm | null;
}

/** Without timeoutSeconds a watch ends after this, as an API server's do (clients reconnect). */
export const DEFAULT_WATCH_SECONDS = 1800;
export const BOOKMARK_INTERVAL_MS = 60_000;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function serveWatch(res: ServerResponse, history: EventHistory, view: ServedView, w: WatchRequest): void {
  const rv = w.query.resourceVersion;
  let replay: readonly WatchEvent[];
  if (rv === null || rv === '' || rv === '0') {
    replay = view.list(w.entry.kind, w.namespace).map((e) => ({ type: 'ADDED', object: e.object, previous: null, resourceVersion: view.revision }));
  } else {
    const from = /^\d{1,15}$/.test(rv) ? Number(rv) : NaN;
    if (Number.isNaN(from)) {
      const status = kubeStatus('BadRequest', `resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a number`);
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(status));
      return;
    }
    const kept = history.since(from);
    if (kept === null) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      const status = kubeStatus('Expired', `too old resource version: ${from} (${history.floor + 1})`);
      res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      return;
    }
    replay = kept;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  let revision = history.revision;
  const send = (type: string, object: KubeObject): void => {
    const text = w.table === null || type === 'BOOKMARK' ? objectJson(object) : tableJson(w.entry, object, w.table);
    res.write(`{"type":"${type}","object":${text}}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) stop();
  };
  const deliver = (events: readonly WatchEvent[]): number => {
    let sent = 0;
    for (const e of events) {
      const out = translate(e, w);
      if (out === null) continue;
      send(out.type, out.object);
      sent++;
    }
    return sent;
  };
  const bookmark = (): void => {
    send('BOOKMARK', { kind: w.entry.kind, apiVersion: w.entry.apiVersion, metadata: { name: '', resourceVersion: String(revision) } });
  };
  const unsubscribe = history.subscribe((events, at) => {
    revision = at;
    if (deliver(events) === 0 && w.query.bookmarks) bookmark();
  });
  const timer = setInterval(() => {
    if (w.query.bookmarks) bookmark();
  }, BOOKMARK_INTERVAL_MS);
  const seconds = w.query.timeoutSeconds ?? DEFAULT_WATCH_SECONDS;
  const deadline = setTimeout(() => stop(), (seconds === 0 ? DEFAULT_WATCH_SECONDS : seconds) * 1000);
  timer.unref();
  deadline.unref();
  let stopped = false;
  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearInterval(timer);
    clearTimeout(deadline);
    res.end();
  }
  res.on('close', stop);
  deliver(replay);
}

/**
 * Served objects are immutable and shared by every watcher of a change, so each is serialized once however many
 * watchers send it (weakly held: gone with the last view and history entry that hold the object).
 */
const JSON_OF = new WeakMap<KubeObject, string>();

function objectJson(object: KubeObject): string {
  let text = JSON_OF.get(object);
  if (text === undefined) JSON_OF.set(object, (text = JSON.stringify(object)));
  return text;
}

/**
 * The one-row Table of an object (kubectl get -w), made once for every watcher that sends it in the same turn: a
 * batch reaches all watchers synchronously, so each event is tabled once per form instead of once per watcher. The
 * lines are dropped when the turn ends, since the AGE cell is computed from the clock: a later replay tables anew.
 */
const TABLE_LINES = new Map<KubeObject, Partial<Record<TableForm, string>>>();
let dropQueued = false;

type TableForm = 'None' | 'Metadata' | 'Object';

function tableJson(entry: KindEntry, object: KubeObject, form: TableForm): string {
  let forms = TABLE_LINES.get(object);
  if (forms === undefined) {
    TABLE_LINES.set(object, (forms = {}));
    if (!dropQueued) {
      dropQueued = true;
      queueMicrotask(dropTableLines);
    }
  }
  let text = forms[form];
  if (text === undefined)
    forms[form] = text = JSON.stringify(toTable(entry, [object], { wide: true, includeObject: form, resourceVersion: object.metadata.resourceVersion ?? '' }));
  return text;
}

function dropTableLines(): void {
  TABLE_LINES.clear();
  dropQueued = false;
}

/** What this watcher sees of `e`: nothing, or the event with selectors applied to both sides. */
function translate(e: WatchEvent, w: WatchRequest): { type: string; object: KubeObject } | null {
  const o = e.object;
  if (o.kind !== w.entry.kind) return null;
  if (w.namespace !== undefined && o.metadata.namespace !== w.namespace) return null;
  const now = matchesQuery(o, w.query);
  if (e.type !== 'MODIFIED' || e.previous === null) return now ? { type: e.type, object: o } : null;
  const before = matchesQuery(e.previous, w.query);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: o };
  return before ? { type: 'DELETED', object: o } : null;
}
