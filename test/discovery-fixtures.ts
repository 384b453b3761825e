/**
 * DNS helpers for the forwarding and federation tests: an upstream resolver of our own on loopback (UDP and TCP on
 * one OS-chosen port) that answers A queries from a table and counts what it was asked, and a raw query over UDP or
 * TCP that returns the decoded response.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import type { ExecutionContext } from 'ava';
import dnsPacket from 'dns-packet';

export interface Upstream {
  readonly port: number;
  readonly asked: string[];
}

/** Answers A for the names in `table`, NXDOMAIN for any other. */
export async function upstreamResolver(t: ExecutionContext, table: Record<string, string>): Promise<Upstream> {
  const asked: string[] = [];
  const reply = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    asked.push(`${question.type} ${question.name}`);
    const ip = table[question.name.toLowerCase()];
    const answers: dnsPacket.Answer[] = ip === undefined || question.type !== 'A' ? [] : [{ type: 'A', name: question.name, ttl: 60, data: ip }];
    return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ip === undefined ? 3 : 0), questions: q.questions ?? [], answers });
  };
  for (let attempt = 0; ; attempt++) {
    const udp: UdpSocket = createSocket('udp4');
    udp.on('message', (msg, peer) => udp.send(reply(msg), peer.port, peer.address));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const tcp: Server = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', (chunk: Buffer) => {
        const out = reply(chunk.subarray(2, 2 + chunk.readUInt16BE(0)));
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        socket.end(framed);
      });
    });
    const bound = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) {
      udp.close();
      if (attempt < 5) continue;
      throw new Error('no port free for UDP and TCP at once');
    }
    t.teardown(() => {
      udp.close();
      return new Promise<void>((resolve) => tcp.close(() => resolve()));
    });
    return { port, asked };
  }
}

/** A closed TCP port on loopback (bound, then released), for a resolver that refuses at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let nextId = 1;

/** One query to the server at 127.0.0.1:port; the decoded response. */
export async function query(port: number, name: string, type: dnsPacket.RecordType, over: 'udp' | 'tcp' = 'udp'): Promise<dnsPacket.Packet> {
  const id = nextId++ & 0xffff;
  const packet = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  if (over === 'udp') {
    const socket = createSocket('udp4');
    try {
      return await new Promise<dnsPacket.Packet>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer for ${name}`)), 5000);
        socket.on('message', (msg) => {
          clearTimeout(timer);
          resolve(dnsPacket.decode(msg));
        });
        socket.send(packet, port, '127.0.0.1');
      });
    } finally {
      socket.close();
    }
  }
  return new Promise<dnsPacket.Packet>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffered = Buffer.alloc(0);
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer for ${name}`));
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
      }
    });
    const framed = Buffer.alloc(2 + packet.length);
    framed.writeUInt16BE(packet.length, 0);
    packet.copy(framed, 2);
    socket.write(framed);
  });
}

/** The response code's name of a decoded response. */
export function rcodeOf(p: dnsPacket.Packet): string {
  return (p as { rcode?: string }).rcode ?? String((p.flags ?? 0) & 0xf);
}

/** The answers of a decoded response as [type, name, data]. */
export function answersOf(p: dnsPacket.Packet): [string, string, unknown][] {
  return (p.answers ?? []).map((a) => [a.type, a.name, (a as { data?: unknown }).data]);
}
