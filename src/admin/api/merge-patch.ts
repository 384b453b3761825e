/**
 * JSON merge patch (RFC 7386), as `kubectl patch --type merge` sends it: objects merge key by key, `null` deletes a
 * key, anything else (lists included) replaces. Pure; the target is not changed.
 */
export function mergePatch<T>(target: T, patch: unknown): T {
  return apply(target, patch) as T;
}

function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = apply(out[key], value);
  }
  return out;
}
