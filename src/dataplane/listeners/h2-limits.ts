/**
 * HTTP/2 front-door limits for the HTTPS listeners' http2 server (secure-listener.ts): at most 100 concurrent
 * streams per connection (Envoy's edge recommendation), bounded session memory and header list, and a guard against
 * rapid-reset abuse (CVE-2023-44487): a client that cancels more than `maxPrematureResets` streams before their
 * response within `resetWindowMs` gets GOAWAY ENHANCE_YOUR_CALM and the session is closed. nghttp2 has its own reset
 * rate limit; this one is lower and counts only premature resets, so it answers an abusive client well before that.
 *
 * Use: `http2.createServer({ ...h2ServerOptions(H2_LIMITS), ... })` and `server.on('session', (s) =>
 * guardSession(s, H2_LIMITS))`. The guard adds one listener per stream (a shared function, no closure).
 */
import { constants, type Http2Session, type Http2Stream, type ServerHttp2Session } from 'node:http2';

export interface H2Limits {
  readonly maxConcurrentStreams: number;
  /** Streams cancelled by the client before their response ended, per window, before GOAWAY. */
  readonly maxPrematureResets: number;
  readonly resetWindowMs: number;
  /** nghttp2 session memory cap, in MB (Node's option). */
  readonly maxSessionMemoryMb: number;
  readonly maxHeaderListPairs: number;
}

export const H2_LIMITS: H2Limits = Object.freeze({
  maxConcurrentStreams: 100,
  maxPrematureResets: 100,
  resetWindowMs: 10_000,
  maxSessionMemoryMb: 10,
  maxHeaderListPairs: 128,
});

/** The options to spread into `http2.createServer`. */
export function h2ServerOptions(limits: H2Limits): {
  settings: { maxConcurrentStreams: number };
  maxSessionMemory: number;
  maxHeaderListPairs: number;
} {
  return {
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
    maxSessionMemory: limits.maxSessionMemoryMb,
    maxHeaderListPairs: limits.maxHeaderListPairs,
  };
}

interface ResetCount {
  readonly limits: H2Limits;
  windowStart: number;
  resets: number;
}

const kResets = Symbol('edgeway.h2resets');
const kSession = Symbol('edgeway.h2session');
type Guarded = Http2Session & { [kResets]?: ResetCount };
/** A stream remembers its session itself: Node detaches `stream.session` by the time 'close' fires. */
type Watched = Http2Stream & { [kSession]?: Guarded };

/** Watches one session's streams for premature client resets. */
export function guardSession(session: ServerHttp2Session, limits: H2Limits): void {
  (session as Guarded)[kResets] = { limits, windowStart: performance.now(), resets: 0 };
  session.on('stream', watchStream);
}

function watchStream(this: Guarded, stream: Watched): void {
  stream[kSession] = this;
  stream.once('close', onStreamClose);
}

function onStreamClose(this: Watched): void {
  if (this.rstCode !== constants.NGHTTP2_CANCEL) return;
  const session = this[kSession];
  const count = session?.[kResets];
  if (session === undefined || count === undefined || session.destroyed || session.closed) return;
  const now = performance.now();
  if (now - count.windowStart > count.limits.resetWindowMs) {
    count.windowStart = now;
    count.resets = 0;
  }
  if (++count.resets > count.limits.maxPrematureResets) {
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    session.close();
  }
}
