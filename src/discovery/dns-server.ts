/**
 * The optional cluster DNS server, on UDP and TCP at `spec.dns.address`. It answers from the generation serving
 * when the query arrives (dns-answers.ts), so answers follow reloads; with `dns.forwarders`, what is not edgeway's
 * to answer goes to those resolvers (dns-forwarder.ts). The wire format is dns-packet's; a packet it
 * cannot decode, or one that is not a query, is dropped without an answer, and a TCP stream that sends garbage or
 * stalls is closed.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { HostPort } from '../config/settings.ts';
import { randomInt } from 'node:crypto';
import { answer, type DnsReply, type DnsView } from './dns-answers.ts';
import { forwardQuery } from './dns-forwarder.ts';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const TCP_IDLE_MS = 10_000;
const UDP_MAX = 512;

/** A decoded query and edgeway's own answer to it, before encoding; or the bytes to send (null: drop). */
type Planned =
  | { readonly kind: 'done'; readonly bytes: Buffer | null }
  | { readonly kind: 'answer'; readonly packet: dnsPacket.Packet; readonly question: dnsPacket.Question; readonly reply: DnsReply };

function plan(query: Buffer, view: DnsView): Planned {
  let packet: dnsPacket.Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return { kind: 'done', bytes: null };
  }
  if (packet.type !== 'query' || packet.questions === undefined) return { kind: 'done', bytes: null };
  const question = packet.questions[0];
  // Only standard queries (opcode 0) with one question, as every DNS server in practice.
  if (packet.questions.length !== 1 || question === undefined || (((packet.flags ?? 0) >> 11) & 0xf) !== 0) {
    return { kind: 'done', bytes: encode(packet, RCODE.NOTIMP, [], []) };
  }
  return { kind: 'answer', packet, question, reply: answer({ name: question.name, type: question.type }, view) };
}

function encode(packet: dnsPacket.Packet, flags: number, answers: readonly dnsPacket.Answer[], additionals: readonly dnsPacket.Answer[]): Buffer {
  const rd = (packet.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return dnsPacket.encode({
    type: 'response',
    id: packet.id ?? 0,
    questions: packet.questions ?? [],
    flags: rd | flags,
    answers: [...answers],
    additionals: [...additionals],
  });
}

function encodeReply(p: Extract<Planned, { kind: 'answer' }>, answers: readonly dnsPacket.Answer[], maxBytes: number): Buffer {
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | RCODE[p.reply.rcode];
  const full = encode(p.packet, flags, answers, p.reply.additionals as dnsPacket.Answer[]);
  if (full.length <= maxBytes) return full;
  // Too big for UDP: the answers without extras, else truncated so the client retries over TCP.
  const lean = encode(p.packet, flags, answers, []);
  return lean.length <= maxBytes ? lean : encode(p.packet, flags | (1 << 9), [], []);
}

/** The response bytes for one query packet, or null to drop it; edgeway's own answer, never forwarded. */
export function respond(query: Buffer, view: DnsView, maxBytes = Infinity): Buffer | null {
  const p = plan(query, view);
  return p.kind === 'done' ? p.bytes : encodeReply(p, p.reply.answers as dnsPacket.Answer[], maxBytes);
}

/**
 * The response for one query, with the resolvers of `dns.forwarders` asked for what is not edgeway's: a name outside
 * its domains is forwarded whole (SERVFAIL when no resolver answers), and an ExternalName's CNAME to such a name is
 * followed by the target's records from the resolvers, as a cluster DNS with an upstream does.
 */
export async function respondForwarding(query: Buffer, view: DnsView, maxBytes: number, overTcp: boolean): Promise<Buffer | null> {
  const p = plan(query, view);
  if (p.kind === 'done') return p.bytes;
  const forwarders = view.settings.dns.forwarders;
  if (forwarders.length === 0) return encodeReply(p, p.reply.answers as dnsPacket.Answer[], maxBytes);
  if (p.reply.rcode === 'REFUSED') {
    return (await forwardQuery(query, forwarders, overTcp)) ?? encode(p.packet, RCODE.SERVFAIL, [], []);
  }
  const last = p.reply.answers.at(-1);
  if (last?.type !== 'CNAME' || p.question.type === 'CNAME' || answer({ name: last.data, type: p.question.type }, view).rcode !== 'REFUSED') {
    return encodeReply(p, p.reply.answers as dnsPacket.Answer[], maxBytes);
  }
  const upstream = await forwardQuery(
    dnsPacket.encode({ type: 'query', id: randomInt(65536), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: p.question.type, name: last.data }] }),
    forwarders,
    overTcp,
  );
  let more: dnsPacket.Answer[] = [];
  try {
    if (upstream !== null) more = dnsPacket.decode(upstream).answers ?? [];
  } catch {
    // An undecodable answer adds nothing: the client still has the CNAME.
  }
  return encodeReply(p, [...(p.reply.answers as dnsPacket.Answer[]), ...more], maxBytes);
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
      void respondForwarding(msg, this.#view(), UDP_MAX, false).then((out) => {
        if (out !== null && this.#udp === udp) udp.send(out, peer.port, peer.address);
      });
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
    let replies = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        // Answers go out in the order the queries came, even when one of them waits for a forwarder.
        replies = replies.then(async () => {
          const out = await respondForwarding(message, this.#view(), Infinity, true);
          if (out === null) return void socket.destroy();
          if (socket.destroyed) return;
          const framed = Buffer.alloc(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          socket.write(framed);
        });
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
