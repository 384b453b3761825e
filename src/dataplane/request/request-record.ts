/**
 * What edgeway knows about one request as it is handled: filled in step by step by the resolver (resolve-request.ts),
 * then read by the dispatch, the proxy exchange, the upgrade tunnel and the access log. It replaces the long argument
 * lists those steps used to pass each other, and it is itself the forwarding and balancing context, so a request
 * allocates this one object where it used to build a context and an info object.
 *
 * Every field is set in the constructor, so all records share one V8 shape and the code reading them stays
 * monomorphic.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { methodClass } from '../../metrics/label-classes.ts';
import type { RouteTarget } from '../../routing/route-table.ts';
import type { PickContext } from '../balancers/balancer.ts';
import type { UpstreamSet } from '../upstream/upstream-set.ts';
import type { DownstreamRequest } from './downstream.ts';
import type { ForwardContext } from './forward-headers.ts';

export class RequestRecord implements ForwardContext, PickContext {
  readonly req: DownstreamRequest;
  /** The request headers as Node parsed them (no copy): hashing balancers and canary rules read them. */
  readonly headers: IncomingHttpHeaders;
  /** performance.now() when the request reached edgeway. */
  readonly started: number;
  /** `http` or `https`: the scheme the client used to reach edgeway. */
  readonly proto: string;
  /** The listener's port, as a string. */
  readonly port: string;
  /** The method class (metrics/label-classes.ts). */
  readonly method: number;
  /**
   * For logs and routing: the request target until it is parsed, then its path (without the query), then the
   * normalised path once it is valid. The normalised path is also what the backend gets.
   */
  path: string;
  /** The path as the client spelled it (absolute-form reduced to its path); redirects keep it. */
  rawPath = '';
  /** `''` or the query string with its `?`. */
  query = '';
  /** The normalised host; undefined until host and path are both valid. */
  host: string | undefined = undefined;
  /** The matched route; null until matched. */
  target: RouteTarget | null = null;
  /** The matched route's Ingress (`namespace/name`), for logs and metrics; undefined until matched. */
  ingress: string | undefined = undefined;
  /** The chosen backend (the canary's when the split chose it); null until resolved. */
  backend: UpstreamSet | null = null;
  clientIp = '';
  trusted = false;
  forwardProxyAuthorization = false;
  /** The Host an ExternalName backend expects; undefined keeps the client's. */
  hostOverride: string | undefined = undefined;
  /** X-Request-Id as sent upstream; undefined until the request is forwarded. */
  requestId: string | undefined = undefined;

  constructor(req: DownstreamRequest, proto: string, port: string, started: number) {
    this.req = req;
    this.headers = req.headers;
    this.started = started;
    this.proto = proto;
    this.port = port;
    this.method = methodClass(req.method);
    this.path = req.url ?? '';
  }
}
