/**
 * Finds where HTTP/1.1 requests end in a byte stream, for the bench backend, which answers every request with the
 * same bytes and so needs nothing of a request but its end. A request is its head (up to the blank line) and a
 * Content-Length body; chunked request bodies are not supported (no system under test sends one in the bench) and
 * are reported as an error so the backend closes the connection instead of misreading it.
 */

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** A head longer than this without its end is not a request the bench sends. */
const MAX_HEAD = 64 * 1024;

/** One finished request: whether it was a HEAD (answered without body) and whether it asked to close. */
export interface FramedRequest {
  readonly isHead: boolean;
  readonly close: boolean;
}

export class RequestFramer {
  /** Bytes of an unfinished head, kept across chunks. */
  private partial: Buffer | null = null;
  /** Body bytes still to skip of the request whose head was last read. */
  private bodyLeft = 0;

  /** Feeds the next bytes of the stream; returns the requests they finish, in order. Throws on framing it cannot read. */
  push(chunk: Buffer): FramedRequest[] {
    const done: FramedRequest[] = [];
    const data = this.partial === null ? chunk : Buffer.concat([this.partial, chunk]);
    this.partial = null;
    let at = 0;
    while (at < data.length) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, data.length - at);
        this.bodyLeft -= skip;
        at += skip;
        continue;
      }
      const end = data.indexOf(HEAD_END, at);
      if (end === -1) {
        if (data.length - at > MAX_HEAD) throw new Error(`request head over ${MAX_HEAD} bytes`);
        this.partial = data.subarray(at);
        break;
      }
      done.push(this.readHead(data.toString('latin1', at, end)));
      at = end + HEAD_END.length;
    }
    return done;
  }

  private readHead(head: string): FramedRequest {
    if (/\r\ntransfer-encoding:/i.test(head)) throw new Error('chunked request bodies are not supported');
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    this.bodyLeft = length === null ? 0 : Number(length[1]);
    const lineEnd = head.indexOf('\r\n');
    const requestLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
    // HTTP/1.0 is answered and closed: the fixed answer carries no `connection: keep-alive` for it.
    const close = requestLine.endsWith(' HTTP/1.0') || /\r\nconnection:[^\r]*\bclose\b/i.test(head);
    return { isHead: requestLine.startsWith('HEAD '), close };
  }
}
