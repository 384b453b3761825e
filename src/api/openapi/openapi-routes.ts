/**
 * Answers `/openapi/v3` (the index of per group-version documents, each with `serverRelativeURL` carrying its
 * hash), `/openapi/v3/{api/v1 | apis/group/version}` and `/openapi/v2` for the admin listener. The documents come
 * from the registry and never change while the process runs, so they are serialized once, on first use.
 *
 * `/openapi/v2` is JSON only; kubectl asks for it in protobuf, is answered 406 Not Acceptable and uses v3.
 */
import { groupVersions } from '../discovery/discovery-documents.ts';
import { contentHash, v2Document, v3Document, v3Key } from './openapi-documents.ts';

export interface OpenApiReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

interface Built {
  readonly index: string;
  readonly documents: ReadonlyMap<string, string>;
  readonly v2: string;
}

let built: Built | null = null;

function build(): Built {
  const documents = new Map<string, string>();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const key = v3Key(gv);
    const body = JSON.stringify(v3Document(gv));
    documents.set(key, body);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${contentHash(body)}` };
  }
  return { index: JSON.stringify({ paths }), documents, v2: JSON.stringify(v2Document()) };
}

/** The reply for an OpenAPI path, or null when `path` is not one. */
export function openApiReply(path: string, accept: string | undefined): OpenApiReply | null {
  if (!path.startsWith('/openapi/')) return null;
  built ??= build();
  if (path === '/openapi/v2') {
    if (accept !== undefined && accept !== '' && !/application\/json|\*\/\*/.test(accept)) {
      return {
        status: 406,
        contentType: 'application/json',
        body: JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'the OpenAPI v2 document is served as application/json only; use /openapi/v3',
          reason: 'NotAcceptable',
          code: 406,
        }),
      };
    }
    return { status: 200, contentType: 'application/json', body: built.v2 };
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/') return { status: 200, contentType: 'application/json', body: built.index };
  const document = path.startsWith('/openapi/v3/') ? built.documents.get(path.slice('/openapi/v3/'.length)) : undefined;
  return document === undefined ? null : { status: 200, contentType: 'application/json', body: document };
}
