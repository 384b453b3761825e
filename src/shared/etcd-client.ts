/**
 * The one place an etcd client is made from the settings (spec.etcd or the --etcd-* flags), so every user of shared
 * state — allocation claims, API objects, the liveness probe — talks to etcd with the same hosts, TLS and failure
 * behaviour. The caller owns the client and closes it.
 *
 * Failure behaviour, chosen so that an unreachable etcd is noticed in a second or two and never makes a caller wait
 * for minutes (edgeway keeps serving its last snapshot meanwhile, so failing fast is what we want):
 * - `dialTimeout` is documented by etcd3 1.1.2 but not read by it, so it is not relied on. What bounds a call is a
 *   gRPC deadline on every unary call (ETCD_CALL_TIMEOUT_MS, per attempt); streams (watches) have none, they live
 *   as long as the client and are resumed by etcd3's watch backoff.
 * - etcd3's fault handling is kept at its defaults: a call is tried up to three times on recoverable errors
 *   (unavailable, deadline exceeded), and a member that failed three calls in a row is skipped for five seconds (a
 *   circuit breaker), during which calls fail at once instead of waiting. So with etcd down, the first call fails
 *   after at most 3 × ETCD_CALL_TIMEOUT_MS (at once when the port refuses connections, as a stopped local member
 *   does), later ones at once, and recovery is seen within about five seconds of etcd answering again. Tuning the
 *   breaker would mean depending on cockatiel directly, which these numbers do not need.
 * - gRPC's reconnect backoff is capped at two seconds (its default grows to two minutes), and keepalive pings every
 *   ten seconds let a watch notice a member that vanished without closing its connections (etcd accepts pings every
 *   five seconds or slower by default).
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdSettings } from '../config/settings.ts';
import { EdgewayError } from '../edgeway-error.ts';

/** Deadline of each unary call attempt; local etcd answers in milliseconds, a slow fsync in well under a second. */
export const ETCD_CALL_TIMEOUT_MS = 3000;

/** Clients closed through closeEtcd: their watch backoff is zero from then on (WatchBackoff). */
const closing = new WeakSet<Etcd3>();

/** A client for the settings' servers; throws EW_ETCD_TLS_UNREADABLE when a TLS file cannot be read. */
export function openEtcd(settings: EtcdSettings): Etcd3 {
  // The backoff reads `client` only when a watch reconnects, long after the assignment.
  const client: Etcd3 = new Etcd3({ ...etcdOptions(settings), faultHandling: { watchBackoff: new WatchBackoff(0, () => closing.has(client)) } });
  return client;
}

/**
 * Closes a client. etcd3 1.1.2 schedules a (referenced) reconnect timer whenever a watch stream ends, cancelled
 * watches and closed clients included, with its backoff: up to 30 s during which the process cannot exit. A client
 * closed here has a backoff of zero, so that timer fires at once and finds nothing to reconnect.
 */
export async function closeEtcd(client: Etcd3): Promise<void> {
  closing.add(client);
  client.close();
}

/**
 * How soon a broken watch stream is opened again: 100 ms doubling to 2 s, so a replica resumes its watch within
 * about two seconds of etcd answering again (etcd3's default grows to 30 s); zero once the client is closing.
 */
class WatchBackoff {
  readonly #attempt: number;
  readonly #closing: () => boolean;

  constructor(attempt: number, closing: () => boolean) {
    this.#attempt = attempt;
    this.#closing = closing;
  }

  get duration(): number {
    return this.#closing() ? 0 : Math.min(2000, 100 * 2 ** this.#attempt);
  }

  next(): WatchBackoff {
    return new WatchBackoff(this.#attempt + 1, this.#closing);
  }
}

/** The client options for `settings` (exported for tests, which check them without connecting). */
export function etcdOptions(settings: EtcdSettings): IOptions {
  const ca = settings.caFile === null ? null : readTlsFile(settings.caFile, 'caFile');
  const cert = settings.certFile === null ? null : readTlsFile(settings.certFile, 'certFile');
  const key = settings.keyFile === null ? null : readTlsFile(settings.keyFile, 'keyFile');
  // The files matter only over TLS; with http:// servers they are read (so a wrong path is still reported) and unused.
  const tls = settings.servers.some((s) => s.startsWith('https://'));
  return {
    hosts: [...settings.servers],
    ...(tls && (ca !== null || cert !== null)
      ? {
          credentials: {
            // Without caFile, Node's bundled CAs, as https:// without any file gets.
            rootCertificate: ca ?? Buffer.from(rootCertificates.join('\n')),
            ...(key === null ? {} : { privateKey: key }),
            ...(cert === null ? {} : { certChain: cert }),
          },
        }
      : {}),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + ETCD_CALL_TIMEOUT_MS }),
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
    },
  };
}

function readTlsFile(path: string, field: 'caFile' | 'certFile' | 'keyFile'): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new EdgewayError('EW_ETCD_TLS_UNREADABLE', `etcd ${field} ${path} cannot be read (${reason})`, { cause: err });
  }
}
