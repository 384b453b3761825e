/**
 * Sends a DNS query to the resolvers the settings name (`dns.forwarders`) and hands back the first answer: over UDP,
 * or over TCP for a query that came over TCP (an answer too big for UDP comes back truncated, and the client then
 * asks again over TCP). Resolvers are tried in order; one that does not answer within the timeout, or fails, passes
 * the query to the next. The answer is passed on as the resolver wrote it, with the client's query id.
 */
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { HostPort } from '../config/settings.ts';

/** How long one resolver gets to answer before the next is asked. */
export const FORWARD_TIMEOUT_MS = 2_000;

export async function forwardQuery(query: Buffer, to: readonly HostPort[], overTcp: boolean, timeoutMs = FORWARD_TIMEOUT_MS): Promise<Buffer | null> {
  for (const resolver of to) {
    const reply = await (overTcp ? askTcp(query, resolver, timeoutMs) : askUdp(query, resolver, timeoutMs)).catch(() => null);
    if (reply !== null) return reply;
  }
  return null;
}

function askUdp(query: Buffer, at: HostPort, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(at.host) ? 'udp6' : 'udp4');
    let settled = false;
    const done = (reply: Buffer | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('error', () => done(null));
    // Only an answer from the resolver asked, to this query id, is taken; anything else is ignored.
    socket.on('message', (msg, peer) => {
      if (peer.port === at.port && msg.length >= 12 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    socket.send(query, at.port, at.host);
  });
}

function askTcp(query: Buffer, at: HostPort, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: at.host, port: at.port });
    let buffered = Buffer.alloc(0);
    const done = (reply: Buffer | null): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) done(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    socket.write(framed);
  });
}
