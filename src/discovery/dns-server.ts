/**
 * The optional cluster DNS server, on UDP and TCP at `spec.dns.address`. It answers from the generation serving
 * when the query arrives (dns-answers.ts), so answers follow reloads. The wire format is dns-packet's; a packet it
 * cannot decode, or one that is not a query, is dropped without an answer, and a TCP stream that sends garbage or
 * stalls is closed.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { HostPort } from '../config/settings.ts';
import { answer, type DnsView } from './dns-answers.ts';

const RCODE = { NOERROR: 0, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const TCP_IDLE_MS = 10_000;
const UDP_MAX = 512;

/** The response bytes for one query packet, or null to drop it. Pure apart from reading the view. */
export function respond(query: Buffer, view: DnsView, maxBytes = Infinity): Buffer | null {
  let packet: dnsPacket.Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return null;
  }
  if (packet.type !== 'query' || packet.questions === undefined) return null;
  const rd = (packet.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const question = packet.questions[0];
  const base = { type: 'response' as const, id: packet.id ?? 0, questions: packet.questions };
  // Only standard queries (opcode 0) with one question, as every DNS server in practice.
  if (packet.questions.length !== 1 || question === undefined || (((packet.flags ?? 0) >> 11) & 0xf) !== 0) {
    return dnsPacket.encode({ ...base, flags: rd | RCODE.NOTIMP });
  }
  const reply = answer({ name: question.name, type: question.type }, view);
  const flags = rd | dnsPacket.AUTHORITATIVE_ANSWER | RCODE[reply.rcode];
  const full = dnsPacket.encode({ ...base, flags, answers: reply.answers as dnsPacket.Answer[], additionals: reply.additionals as dnsPacket.Answer[] });
  if (full.length <= maxBytes) return full;
  // Too big for UDP: the answers without extras, else truncated so the client retries over TCP.
  const lean = dnsPacket.encode({ ...base, flags, answers: reply.answers as dnsPacket.Answer[] });
  return lean.length <= maxBytes ? lean : dnsPacket.encode({ ...base, flags: flags | (1 << 9) });
}

export class DnsServer {
  readonly #view: () => DnsView;
  #udp: UdpSocket | null = null;
  #tcp: Server | null = null;
  readonly #sockets = new Set<Socket>();

  constructor(view: () => DnsView) {
    this.#view = view;
  }

  /**
   * Binds UDP and TCP on the same port; resolves with the port. With port 0 the OS picks the UDP port, and the TCP
   * port of that number may be taken already: then both are tried again on a fresh port, a few times.
   */
  async listen(at: HostPort): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#bind(at);
      } catch (err) {
        if (at.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
      }
    }
  }

  async #bind(at: HostPort): Promise<number> {
    const udp = createSocket(isIPv6(at.host) ? 'udp6' : 'udp4');
    udp.on('message', (msg, peer) => {
      const out = respond(msg, this.#view(), UDP_MAX);
      if (out !== null) udp.send(out, peer.port, peer.address);
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(at.port, at.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', () => undefined);
    this.#udp = udp;
    const port = udp.address().port;
    const tcp = createServer((socket) => this.#serveTcp(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, at.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      udp.close();
      this.#udp = null;
      throw err;
    });
    this.#tcp = tcp;
    return port;
  }

  #serveTcp(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const out = respond(message, this.#view());
        if (out === null) return void socket.destroy();
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        socket.write(framed);
      }
    });
  }

  async close(): Promise<void> {
    this.#udp?.close();
    this.#udp = null;
    for (const s of this.#sockets) s.destroy();
    const tcp = this.#tcp;
    this.#tcp = null;
    if (tcp !== null) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}
