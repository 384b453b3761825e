/**
 * Event: refused from files and API writes alike. edgeway records its own Events (api/events/event-log.ts) and
 * serves them read-only; an Event written by hand would be about nothing edgeway did, so the object is skipped
 * with an error saying where Events come from.
 */
import type { Diagnostic } from '../diagnostic.ts';
import type { LoadedObject } from '../loaded-object.ts';
import type { Shape } from './known-fields.ts';
import { Report } from './report.ts';

/** Every Event field, so that the only diagnostic is the refusal itself. */
export const EVENT_SHAPE: Shape = {
  involvedObject: null,
  reason: null,
  message: null,
  type: null,
  count: null,
  firstTimestamp: null,
  lastTimestamp: null,
  eventTime: null,
  source: null,
  reportingComponent: null,
  reportingInstance: null,
  action: null,
  related: null,
  series: null,
};

export function validateEvent(source: LoadedObject): Diagnostic[] {
  const r = new Report(source);
  r.error(
    'EW_EVENT_READ_ONLY',
    [],
    'Events are recorded by edgeway and cannot be written; kubectl get events lists them and kubectl describe shows those of an object',
  );
  return r.diagnostics;
}
