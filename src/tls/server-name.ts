/**
 * Server-name rules for SNI, as pure functions: how a client's name is normalised, how a wildcard such as
 * `*.example.com` covers exactly one extra label, and whether a certificate's SANs cover a name.
 */

/** Lower-case, without a trailing dot: `WWW.Example.COM.` → `www.example.com`. */
export function normalizeServerName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `*.example.com` → `example.com`; anything else → undefined. */
export function wildcardSuffix(pattern: string): string | undefined {
  return pattern.startsWith('*.') && pattern.length > 2 ? pattern.slice(2) : undefined;
}

/**
 * The suffix a wildcard would need to cover `name`: `a.example.com` → `example.com`. Undefined for single-label
 * names, which no wildcard covers.
 */
export function parentDomain(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot <= 0 || dot === name.length - 1 ? undefined : name.slice(dot + 1);
}

/** Whether a SAN list (lower-case, as in TlsMaterial.sans) covers a normalised name: exact, or one-label wildcard. */
export function sansCover(sans: readonly string[], name: string): boolean {
  const parent = parentDomain(name);
  for (const san of sans) {
    if (san === name) return true;
    if (parent !== undefined && wildcardSuffix(san) === parent) return true;
  }
  return false;
}
