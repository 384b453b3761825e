/**
 * Counts of requests edgeway refused itself, by why: circuit limits by Service and limit, overload shedding by
 * reason, and front-door refusals (413, 431, malformed or ambiguous framing) by reason. Every label value comes from
 * a fixed list or from a Service name in the configuration, so a client cannot mint series. Counting happens only on
 * the refusal path (a switch and an array slot); /metrics reads the arrays at scrape time. The counters live in the
 * gateway and outlive snapshots, so they stay monotonic across reloads.
 */
import type { Code } from '../errors.ts';

export const LIMITS = ['max-requests', 'max-pending'] as const;
export type LimitName = (typeof LIMITS)[number];

export const OVERLOAD_REASONS = ['event-loop-delay', 'heap'] as const;
export type OverloadReason = (typeof OVERLOAD_REASONS)[number];

/** Front-door refusals; the first five come with an X-Edgeway-Error code, the rest from Node's parser (client-error.ts). */
export const FRONT_DOOR_REASONS = [
  'body-too-large',
  'headers-too-many',
  'framing-ambiguous',
  'host-ambiguous',
  'bad-request',
  'headers-too-large',
  'malformed',
  'request-timeout',
] as const;
export type FrontDoorReason = (typeof FRONT_DOOR_REASONS)[number];

/** The front-door reason of an edgeway code, or -1 when the code is not a front-door refusal. Pure. */
export function frontDoorIndex(code: Code): number {
  switch (code) {
    case 'EDGEWAY_BODY_TOO_LARGE':
      return 0;
    case 'EDGEWAY_HEADERS_TOO_MANY':
      return 1;
    case 'EDGEWAY_FRAMING_AMBIGUOUS':
      return 2;
    case 'EDGEWAY_HOST_AMBIGUOUS':
      return 3;
    case 'EDGEWAY_BAD_REQUEST':
    case 'EDGEWAY_UPGRADE_REFUSED':
      return 4;
    case 'EDGEWAY_BODY_TIMEOUT':
    case 'EDGEWAY_REQUEST_TIMEOUT':
      return 7;
    default:
      return -1;
  }
}

/** The front-door reason of an error from Node's HTTP parser (a `clientError`). Pure. */
export function parserRejectionIndex(errorCode: string | undefined): number {
  if (errorCode === 'HPE_HEADER_OVERFLOW') return 5;
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT') return 7;
  return 6;
}

export class RejectionCounters {
  /** Indexed like FRONT_DOOR_REASONS. */
  readonly frontDoor = new Float64Array(FRONT_DOOR_REASONS.length);
  /** Indexed like OVERLOAD_REASONS. */
  readonly overload = new Float64Array(OVERLOAD_REASONS.length);
  /** By Service (`namespace/name`), indexed like LIMITS. */
  readonly #limits = new Map<string, Float64Array>();

  limit(service: string, limit: LimitName): void {
    let cells = this.#limits.get(service);
    if (cells === undefined) this.#limits.set(service, (cells = new Float64Array(LIMITS.length)));
    cells[limit === 'max-requests' ? 0 : 1]!++;
  }

  overloaded(reason: OverloadReason): void {
    this.overload[reason === 'event-loop-delay' ? 0 : 1]!++;
  }

  /** Counts `code` if it is a front-door refusal; other codes are not counted here. */
  refused(code: Code): void {
    const i = frontDoorIndex(code);
    if (i !== -1) this.frontDoor[i]!++;
  }

  /** A request Node's parser refused before edgeway saw it. */
  parserRefused(errorCode: string | undefined): void {
    this.frontDoor[parserRejectionIndex(errorCode)]!++;
  }

  limits(): IterableIterator<[string, Float64Array]> {
    return this.#limits.entries();
  }
}
