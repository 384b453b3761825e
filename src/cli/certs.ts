/**
 * `edgeway certs`: from nothing to HTTPS in two commands. `certs ca` creates a local CA under `certs/`; `certs issue`
 * issues a leaf for the given hosts from it (creating the CA if needed), writes `<name>.crt` (leaf + CA) and
 * `<name>.key` (0600), and prints a `kubernetes.io/tls` Secret manifest to stdout, ready to apply.
 *
 * Key kinds: RSA via node-forge; ECDSA P-256 via node:crypto, since forge cannot make EC keys (see
 * certificate-builder.ts). The CA itself is always RSA.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { stringify } from 'yaml';
import type { KeyKind } from '../tls/certificate-builder.ts';
import { issueLeaf, loadOrCreateCa } from '../tls/local-ca.ts';
import { writeFileAtomic } from '../tls/pem-pair-files.ts';
import { COMMAND_USAGE } from './usage.ts';

export interface CertsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const MAX_DAYS = 3650;

class UsageError extends Error {}

const processIo: CertsIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs `edgeway certs <argv…>`; returns the exit code: 0, or 2 with a one-line message on stderr. */
export async function runCerts(argv: string[], io: CertsIo = processIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        dir: { type: 'string', default: 'certs' },
        host: { type: 'string', multiple: true },
        days: { type: 'string', default: '90' },
        key: { type: 'string', default: 'rsa' },
        name: { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...extra] = positionals;
    if (values.help === true) {
      io.stdout(COMMAND_USAGE.certs);
      return 0;
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
    if (command === 'ca') {
      const ca = await loadOrCreateCa(values.dir);
      io.stderr(ca.created ? `created CA ${ca.certPath} and ${ca.keyPath}\n` : `CA already exists: ${ca.certPath}\n`);
      return 0;
    }
    if (command === 'issue') {
      const hosts = (values.host ?? []).map((h) => h.toLowerCase());
      if (hosts.length === 0) throw new UsageError('issue needs at least one --host');
      for (const host of hosts) {
        if (isIP(host) === 0 && !DNS_NAME.test(host))
          throw new UsageError(`--host ${host} is not a DNS name, a one-label wildcard (*.example.com) or an IP address`);
      }
      const days = Number(values.days);
      if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new UsageError(`--days ${values.days} must be a whole number from 1 to ${MAX_DAYS}`);
      const key = parseKeyKind(values.key);
      const name = values.name ?? defaultName(hosts[0] ?? '');
      if (!OBJECT_NAME.test(name)) throw new UsageError(`--name ${name} is not a valid Secret name (lower-case letters, digits, '-' and '.')`);
      if (!OBJECT_NAME.test(values.namespace)) throw new UsageError(`--namespace ${values.namespace} is not a valid namespace name`);

      const ca = await loadOrCreateCa(values.dir);
      if (ca.created) io.stderr(`created CA ${ca.certPath} (add it to your trust store) and ${ca.keyPath}\n`);
      const leaf = issueLeaf(ca, { hosts, days, key });
      const certPath = join(values.dir, `${name}.crt`);
      const keyPath = join(values.dir, `${name}.key`);
      await writeFileAtomic(keyPath, leaf.keyPem, 0o600);
      await writeFileAtomic(certPath, leaf.certPem, 0o644);
      io.stderr(`wrote ${certPath} and ${keyPath}; add the Secret printed below to your configuration\n`);
      io.stdout(secretManifest(name, values.namespace, leaf.certPem, leaf.keyPem));
      return 0;
    }
    throw new UsageError(command === undefined ? 'missing command: ca or issue' : `unknown command "${command}": use ca or issue`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`edgeway certs: ${e.message} (see edgeway certs --help)\n`);
      return 2;
    }
    io.stderr(`edgeway certs: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

/** A `kubernetes.io/tls` Secret manifest with base64 data, as YAML. */
export function secretManifest(name: string, namespace: string, certPem: string, keyPem: string): string {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(certPem).toString('base64'),
      'tls.key': Buffer.from(keyPem).toString('base64'),
    },
  };
  // lineWidth 0: keep each base64 value on one line.
  return stringify(secret, { lineWidth: 0 });
}

function parseKeyKind(value: string): KeyKind {
  if (value === 'rsa' || value === 'ecdsa') return value;
  throw new UsageError(`--key ${value} is not supported: use rsa or ecdsa`);
}

/** `*.b.example.com` → `wildcard.b.example.com-tls`; `a.example.com` → `a.example.com-tls`. */
function defaultName(host: string): string {
  return `${host.replace(/^\*\./, 'wildcard.').replaceAll(':', '-')}-tls`;
}
