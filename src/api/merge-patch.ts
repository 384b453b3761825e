/**
 * JSON merge patch (RFC 7386), as `kubectl patch --type merge` sends it: objects merge key by key, `null` deletes a
 * key, anything else (lists included) replaces. Pure; the target is not changed.
 *
 * The patch is a request body, so its keys are hostile input: `__proto__` (JSON.parse makes it an own key) must stay
 * a plain key of the result, never become the result's prototype: keys are written with defineProperty, so every
 * key of the result is an own data property and its prototype stays Object.prototype.
 */
export function mergePatch<T>(target: T, patch: unknown): T {
  return apply(target, patch) as T;
}

function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = {};
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    for (const [key, value] of Object.entries(target)) put(out, key, value);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else put(out, key, apply(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/** `out[key] = value` that defines an own property even for `__proto__` (an assignment would set the prototype). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
}
