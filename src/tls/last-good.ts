/**
 * Keeps serving a Secret's last good certificate when a reload brings a broken version of it (a rotation that pairs
 * a certificate with the wrong key, a truncated paste), as nginx and Envoy do: the hosts it serves keep presenting a
 * certificate their clients verify instead of falling back to the default one, and the Secret's own errors stay
 * reported, with a warning saying which certificate is still served. Only a Secret that still exists and is still
 * used for TLS is kept: deleting it, or no longer naming it, is a decision and takes effect.
 *
 * Pure: the previous generation's validated Secrets are an input (the compile memo lends them), so a process that
 * starts with a broken Secret has nothing to keep and serves the default certificate for its hosts.
 */
import type { Diagnostic } from '../config/diagnostic.ts';
import type { TlsMaterialResult } from './tls-material.ts';

/**
 * `current` with each broken Secret replaced by its entry in `previous` when that one was usable. The previous entry
 * may itself be a kept one, so a Secret broken over several reloads keeps the last certificate that was valid.
 */
export function keepLastGood(
  current: ReadonlyMap<string, TlsMaterialResult>,
  previous: ReadonlyMap<string, TlsMaterialResult> | undefined,
): Map<string, TlsMaterialResult> {
  const out = new Map<string, TlsMaterialResult>();
  for (const [key, result] of current) {
    const before = result.ok ? undefined : previous?.get(key);
    if (before === undefined || !before.ok) {
      out.set(key, result);
      continue;
    }
    out.set(key, { ok: true, material: before.material, diagnostics: [...result.diagnostics, keptDiagnostic(key, result.diagnostics, before.material)] });
  }
  return out;
}

/** The warning beside the Secret's errors, at the same object and place as its first error. */
function keptDiagnostic(
  key: string,
  diagnostics: readonly Diagnostic[],
  material: { readonly sans: readonly string[]; readonly notAfter: Date; readonly fingerprint: string },
): Diagnostic {
  const first = diagnostics.find((d) => d.severity === 'error');
  const names = material.sans.length === 0 ? 'no DNS names' : material.sans.join(', ');
  const message =
    `Secret ${key} is unusable${first === undefined ? '' : ` (${first.field ? `${first.field}: ` : ''}${first.code})`}; its hosts keep the last good ` +
    `certificate (${names}, valid until ${material.notAfter.toISOString()}, SHA-256 ${material.fingerprint}) until the Secret is fixed`;
  return {
    severity: 'warning',
    code: 'EW_TLS_SECRET_KEPT',
    message,
    ...(first?.position === undefined ? {} : { position: first.position }),
    ...(first?.object === undefined ? {} : { object: first.object }),
    ...(first?.field === undefined ? {} : { field: first.field }),
  };
}
