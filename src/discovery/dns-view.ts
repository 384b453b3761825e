/**
 * What the DNS answers are computed from and what they are made of: the view of one generation (objects, snapshot,
 * settings, the other clusters, the data plane's health) and the records of a reply. Apart from the answering code
 * (dns-answers.ts, federation-answers.ts) so that both read the same types without importing each other.
 */
import type { Settings } from '../config/settings.ts';
import type { ClusterStore } from '../snapshot/compile-snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import type { ObjectStore } from '../store/object-store.ts';

export interface DnsView {
  readonly store: ObjectStore;
  readonly snapshot: Snapshot;
  readonly settings: Settings;
  /** The other clusters' objects, for the federation names (federation-answers.ts). */
  readonly clusters?: readonly ClusterStore[];
  /** The data plane's health by endpoint `address:port`; without it, every ready endpoint counts as healthy. */
  readonly health?: () => ReadonlyMap<string, boolean>;
}

export type DnsRecord =
  | { readonly type: 'A' | 'AAAA' | 'CNAME' | 'PTR'; readonly name: string; readonly ttl: number; readonly data: string }
  | { readonly type: 'TXT'; readonly name: string; readonly ttl: number; readonly data: string }
  | {
      readonly type: 'SRV';
      readonly name: string;
      readonly ttl: number;
      readonly data: { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string };
    };

export interface DnsReply {
  readonly rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}
