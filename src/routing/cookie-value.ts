/**
 * Reading one cookie from a Cookie header, for the two places that look at cookies per request: canary splits by
 * cookie (canary.ts) and the hashing balancers' `cookie:NAME` key. It lives with routing, the lower of the two
 * layers, so routing never imports the data plane.
 */

/** The value of cookie `name` in a Cookie header, scanning without splitting or regexes. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let at = 0;
  while (at < header.length) {
    while (header.charCodeAt(at) === 32 /* space */) at++;
    const end = header.indexOf(';', at);
    const stop = end === -1 ? header.length : end;
    const eq = header.indexOf('=', at);
    if (eq !== -1 && eq < stop && eq - at === name.length && header.startsWith(name, at)) return header.slice(eq + 1, stop).trim();
    at = stop + 1;
  }
  return undefined;
}
