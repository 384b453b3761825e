/**
 * NodePorts, as the API server hands them out: from a range (default 30000-32767), separately per protocol, an
 * explicit port honoured when it is free and in range, with the API server's messages when it is not.
 *
 * Like the API server since Kubernetes 1.29 (KEP-3668), the range has a static band at its bottom,
 * min(max(16, size/32), 128) ports, that automatic allocation uses only once the rest is full, so ports people pick
 * by hand (usually low ones) rarely collide with automatic ones. Unlike the API server, automatic allocation takes
 * the lowest free port rather than a random one, so the outcome is deterministic for a given history.
 */
import type { Protocol } from '../k8s/types.ts';
import type { AllocationResult } from './allocation-result.ts';
import { failure } from './allocation-result.ts';

export interface PortRange {
  /** Inclusive. */
  readonly min: number;
  /** Inclusive. */
  readonly max: number;
}

export const DEFAULT_NODE_PORT_RANGE: PortRange = { min: 30000, max: 32767 };

export type PortResult = AllocationResult<{ readonly port: number }>;

/** Size of the static band at the bottom of a port range (KEP-3668); ranges under 16 ports have none. */
export function portStaticBandSize(range: PortRange): number {
  const size = range.max - range.min + 1;
  if (size < 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

interface ProtocolPorts {
  readonly owners: Map<number, string>;
  /** Every port below the cursor in its band is taken. */
  upperCursor: number;
  lowerCursor: number;
}

export class NodePortAllocator {
  readonly #range: PortRange;
  readonly #upperStart: number;
  readonly #byProtocol = new Map<Protocol, ProtocolPorts>();
  readonly #byOwner = new Map<string, Map<string, { readonly protocol: Protocol; readonly port: number }>>();

  constructor(range: PortRange = DEFAULT_NODE_PORT_RANGE) {
    this.#range = range;
    this.#upperStart = Math.min(range.min + portStaticBandSize(range), range.max + 1);
  }

  get range(): PortRange {
    return this.#range;
  }

  ownerOf(protocol: Protocol, port: number): string | undefined {
    return this.#byProtocol.get(protocol)?.owners.get(port);
  }

  /** Gives `owner` this port; giving an owner a port it already holds is a no-op. */
  assign(owner: string, protocol: Protocol, port: number): PortResult {
    const { min, max } = this.#range;
    if (!Number.isInteger(port) || port < min || port > max) {
      return failure('EW_NODEPORT_OUT_OF_RANGE', `${port}: provided port is not in the valid range. The range of valid ports is ${min}-${max}`);
    }
    const ports = this.#ports(protocol);
    const current = ports.owners.get(port);
    if (current !== undefined && current !== owner) {
      return failure('EW_NODEPORT_TAKEN', `${port}: provided port is already allocated (to Service ${current}, ${protocol})`);
    }
    this.#take(ports, owner, protocol, port);
    return { ok: true, port };
  }

  /**
   * Picks a free port for `owner`: `preferred` first when it is free (used to give a Service's TCP and UDP ports
   * with the same number one NodePort, as the API server does), else the lowest free port above the static band,
   * else the lowest free port in it.
   */
  allocate(owner: string, protocol: Protocol, preferred?: number): PortResult {
    const ports = this.#ports(protocol);
    if (preferred !== undefined && preferred >= this.#range.min && preferred <= this.#range.max) {
      const current = ports.owners.get(preferred);
      if (current === undefined || current === owner) {
        this.#take(ports, owner, protocol, preferred);
        return { ok: true, port: preferred };
      }
    }
    let port = ports.upperCursor;
    while (port <= this.#range.max && ports.owners.has(port)) port++;
    ports.upperCursor = port;
    if (port > this.#range.max) {
      port = ports.lowerCursor;
      while (port < this.#upperStart && ports.owners.has(port)) port++;
      ports.lowerCursor = port;
      if (port >= this.#upperStart) {
        return failure(
          'EW_NODEPORT_EXHAUSTED',
          `failed to allocate a nodePort: range is full (${this.#range.min}-${this.#range.max}, ${protocol}); free some or widen the NodePort range`,
        );
      }
    }
    this.#take(ports, owner, protocol, port);
    return { ok: true, port };
  }

  /** Frees one port if `owner` holds it; otherwise does nothing. */
  release(owner: string, protocol: Protocol, port: number): void {
    const ports = this.#byProtocol.get(protocol);
    if (ports === undefined || ports.owners.get(port) !== owner) return;
    ports.owners.delete(port);
    this.#byOwner.get(owner)?.delete(`${port}/${protocol}`);
    if (port >= this.#upperStart) ports.upperCursor = Math.min(ports.upperCursor, port);
    else ports.lowerCursor = Math.min(ports.lowerCursor, port);
  }

  /** Frees every port `owner` holds (idempotent). */
  releaseAll(owner: string): void {
    const held = this.#byOwner.get(owner);
    if (held === undefined) return;
    for (const { protocol, port } of [...held.values()]) this.release(owner, protocol, port);
    this.#byOwner.delete(owner);
  }

  /** Ports `owner` holds, as `30080/TCP`. */
  heldBy(owner: string): readonly string[] {
    return [...(this.#byOwner.get(owner)?.keys() ?? [])];
  }

  #ports(protocol: Protocol): ProtocolPorts {
    let ports = this.#byProtocol.get(protocol);
    if (ports === undefined) {
      ports = { owners: new Map(), upperCursor: this.#upperStart, lowerCursor: this.#range.min };
      this.#byProtocol.set(protocol, ports);
    }
    return ports;
  }

  #take(ports: ProtocolPorts, owner: string, protocol: Protocol, port: number): void {
    ports.owners.set(port, owner);
    let held = this.#byOwner.get(owner);
    if (held === undefined) this.#byOwner.set(owner, (held = new Map()));
    held.set(`${port}/${protocol}`, { protocol, port });
  }
}
