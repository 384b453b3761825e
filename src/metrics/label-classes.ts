/**
 * The bounded label values of request metrics: HTTP methods folded into a fixed set (anything else is OTHER, so a
 * client cannot mint series with made-up methods) and status codes folded into classes. Both map to small integers
 * that index the per-route counter cells, so the request path does no string work for metrics.
 */

export const METHOD_CLASSES = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'OTHER'] as const;
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;

const OTHER_METHOD = METHOD_CLASSES.length - 1;

/** Index into METHOD_CLASSES; Node hands methods upper-cased. */
export function methodClass(method: string | undefined): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'PATCH':
      return 4;
    case 'DELETE':
      return 5;
    case 'OPTIONS':
      return 6;
    case 'CONNECT':
      return 7;
    case 'TRACE':
      return 8;
    default:
      return OTHER_METHOD;
  }
}

/** Index into STATUS_CLASSES; 499 (client went away) counts as 4xx. */
export function statusClass(status: number): number {
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? c - 1 : STATUS_CLASSES.length - 1;
}
