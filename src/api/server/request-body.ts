/**
 * Request bodies of the object API: read up to a size cap, then decoded by Content-Type. JSON and YAML are read by
 * the loader's YAML parser (JSON is YAML), so objects keep positions for diagnostics. A protobuf body
 * (`application/vnd.kubernetes.protobuf`, which some kubectl generators send) is refused with 415 before anything
 * parses it: read as YAML it would be garbage with confusing errors.
 */
import type { IncomingMessage } from 'node:http';
import { kubeStatus, type KubeStatus } from '../kube-status.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The media type of a header value, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A 415 Status when the request's body is protobuf, else null. */
export function refuseProtobuf(req: IncomingMessage): KubeStatus | null {
  if (mediaType(req.headers['content-type']) !== 'application/vnd.kubernetes.protobuf') return null;
  return kubeStatus(
    'UnsupportedMediaType',
    'edgeway does not decode protobuf bodies (application/vnd.kubernetes.protobuf): send JSON or YAML, for example by writing the object to a file and running `kubectl apply -f FILE`',
  );
}

export function readBody(req: IncomingMessage): Promise<string | KubeStatus> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? kubeStatus('BadRequest', `the request body is over ${MAX_BODY_BYTES} bytes`) : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', (err) => resolve(kubeStatus('BadRequest', err.message)));
  });
}
