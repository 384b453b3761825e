/**
 * Who is on the other end of a request's connection: the client address (an IPv4-mapped IPv6 address in its IPv4
 * form) and whether it is one of the trusted proxies whose X-Forwarded-* headers edgeway believes.
 *
 * Both are facts of the connection, not of the request, so on HTTP/1 they are worked out on its first request and
 * kept on the socket: a keep-alive connection carries many requests, and the trust check (BlockList parses the
 * address each time) is then paid once. The kept verdict names the trusted list it came from, so a reload that
 * changes the list is seen by the next request. HTTP/2 requests reach the socket through a proxy object; they are
 * worked out each time.
 */
import type { Socket } from 'node:net';
import type { DownstreamRequest } from './downstream.ts';
import type { TrustedProxies } from './trusted-proxies.ts';

export interface ClientPeer {
  readonly ip: string;
  readonly trusted: boolean;
}

interface KeptPeer extends ClientPeer {
  readonly list: TrustedProxies;
}

const kPeer = Symbol('edgeway.clientPeer');
type PeerSocket = Socket & { [kPeer]?: KeptPeer };

export function clientPeer(req: DownstreamRequest, trusted: TrustedProxies): ClientPeer {
  if (req.httpVersionMajor !== 1) return peerOf(req.socket.remoteAddress, trusted);
  const socket = req.socket as PeerSocket;
  const kept = socket[kPeer];
  if (kept !== undefined && kept.list === trusted) return kept;
  const peer = peerOf(socket.remoteAddress, trusted);
  socket[kPeer] = peer;
  return peer;
}

function peerOf(remoteAddress: string | undefined, list: TrustedProxies): KeptPeer {
  const address = remoteAddress ?? '';
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  return { ip, trusted: list.has(ip), list };
}
