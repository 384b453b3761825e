/**
 * The admin listener's serving certificate: issued by a local CA kept in `<stateDir>/admin-tls/` (ca.crt, ca.key)
 * for the admin host, localhost, 127.0.0.1 and ::1, and kept beside it (serving.crt, serving.key). The CA stays
 * the same across restarts, so a kubeconfig written once (`edgeway kubeconfig`) keeps working; the serving
 * certificate is issued again when it no longer covers the hosts, was not issued by this CA, or ends within 30 days.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { issueLeaf, loadOrCreateCa, type LocalCa } from '../tls/local-ca.ts';
import { writeFileAtomic, type PemPair } from '../tls/pem-pair-files.ts';

const SERVING_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Where the admin CA lives under the state directory. */
export function adminCaDir(stateDir: string): string {
  return join(stateDir, 'admin-tls');
}

/** The CA of the admin listener, created when missing (by the server or by `edgeway kubeconfig`, whichever is first). */
export function loadAdminCa(stateDir: string): Promise<LocalCa> {
  return loadOrCreateCa(adminCaDir(stateDir));
}

/** The names the serving certificate covers: the admin host when it names one, and the loopback names. */
export function servingHosts(adminHost: string): readonly string[] {
  const hosts = ['localhost', '127.0.0.1', '::1'];
  const unspecified = adminHost === '' || adminHost === '0.0.0.0' || adminHost === '::';
  if (!unspecified && !hosts.includes(adminHost)) hosts.unshift(adminHost);
  return hosts;
}

/** The serving certificate (leaf followed by the CA) and key, read or issued. */
export async function loadAdminServingCertificate(stateDir: string, adminHost: string, now: Date = new Date()): Promise<PemPair> {
  const dir = adminCaDir(stateDir);
  const ca = await loadAdminCa(stateDir);
  const certPath = join(dir, 'serving.crt');
  const keyPath = join(dir, 'serving.key');
  const hosts = servingHosts(adminHost);
  const existing = await readPair(certPath, keyPath);
  if (existing !== null && stillGood(existing.certPem, ca.certPem, hosts, now)) return existing;
  const leaf = issueLeaf(ca, { hosts, days: SERVING_DAYS, key: 'ecdsa', now });
  await writeFileAtomic(keyPath, leaf.keyPem, 0o600);
  await writeFileAtomic(certPath, leaf.certPem, 0o644);
  return leaf;
}

async function readPair(certPath: string, keyPath: string): Promise<PemPair | null> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certPem, keyPem };
  } catch {
    return null;
  }
}

function stillGood(certPem: string, caPem: string, hosts: readonly string[], now: Date): boolean {
  try {
    const leaf = new X509Certificate(certPem);
    if (!leaf.checkIssued(new X509Certificate(caPem))) return false;
    if (Date.parse(leaf.validTo) - now.getTime() < RENEW_BEFORE_MS) return false;
    return hosts.every((h) => (isIP(h) === 0 ? leaf.checkHost(h) !== undefined : leaf.checkIP(h) !== undefined));
  } catch {
    return false;
  }
}
