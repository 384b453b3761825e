/**
 * One thing edgeway would report as an Event, before it is counted and stamped (event-log.ts): the object it is
 * about, Normal or Warning, a CamelCase reason as the cluster's controllers give, and the message.
 */
export interface InvolvedObject {
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

export interface EventInput {
  readonly involved: InvolvedObject;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}
