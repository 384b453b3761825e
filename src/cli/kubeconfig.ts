/**
 * `edgeway kubeconfig [--config FILE ...] [--state-dir DIR] [--admin HOST:PORT]`: prints a kubeconfig with which
 * the kubectl a user already has talks to edgeway's admin API over TLS: the server URL, the admin CA from the state
 * directory (created there if edgeway has not yet made it), the admin token when one is configured, and a context
 * named `edgeway` made current. The settings come from the --config files (or the defaults); the flags override them.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadAdminCa } from '../admin/admin-certificate.ts';
import { resolveAdminToken } from '../admin/admin-token.ts';
import { formatDiagnostic } from '../config/diagnostic.ts';
import { loadConfig, loadConfigText } from '../config/load-config.ts';
import { parseHostPort } from '../config/settings-document.ts';

/** The token written when edgeway has none configured (see kubeconfigYaml). */
export const NO_TOKEN = 'edgeway-no-admin-token';

export interface KubeconfigInput {
  readonly server: string;
  readonly caPem: string;
  readonly token: string | null;
}

/** The kubeconfig document (pure). */
export function kubeconfigYaml(input: KubeconfigInput): string {
  // A user without credentials makes kubectl prompt for a username and password, so a read-only setup gets a
  // placeholder token: reads need none, and writes are refused until spec.admin.token is set.
  const user = { token: input.token ?? NO_TOKEN };
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'edgeway', cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
      users: [{ name: 'edgeway', user }],
      contexts: [{ name: 'edgeway', context: { cluster: 'edgeway', user: 'edgeway', namespace: 'default' } }],
      'current-context': 'edgeway',
      preferences: {},
    },
    { lineWidth: 0 },
  );
}

/** `https://HOST:PORT` for the admin address; an unspecified host (0.0.0.0, ::) is reached on loopback. */
export function serverUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `https://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function runKubeconfig(argv: readonly string[]): Promise<number> {
  let values: { config?: string[]; 'state-dir'?: string; admin?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', short: 'c', multiple: true }, 'state-dir': { type: 'string' }, admin: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`edgeway kubeconfig: ${(err as Error).message} (see edgeway kubeconfig --help)\n`);
    return 2;
  }
  const load = values.config === undefined ? loadConfigText([]) : await loadConfig(values.config);
  if (load.fatal) {
    for (const d of load.diagnostics) if (d.severity === 'error') process.stderr.write(formatDiagnostic(d) + '\n');
    return 1;
  }
  const admin = values.admin === undefined ? load.settings.admin : parseHostPort(values.admin);
  if (admin === undefined) {
    process.stderr.write(`edgeway kubeconfig: --admin must be HOST:PORT, got ${JSON.stringify(values.admin)}\n`);
    return 2;
  }
  try {
    const ca = await loadAdminCa(values['state-dir'] ?? load.settings.stateDir);
    const token = await resolveAdminToken(load.settings.adminAuth);
    process.stdout.write(kubeconfigYaml({ server: serverUrl(admin.host, admin.port), caPem: ca.certPem, token }));
    return 0;
  } catch (err) {
    process.stderr.write(`edgeway kubeconfig: ${(err as Error).message}\n`);
    return 1;
  }
}
