/**
 * The TLS scenarios: edgeway and nginx terminating the same certificate (RSA 2048, made once per bench run with
 * edgeway's own certificate code), measured two ways: keep-alive HTTPS requests/s (autocannon, HTTP/1.1), and new
 * TLS handshakes per second, one request per connection (handshake-client.ts). Upstream stays plain HTTP with
 * keep-alive for both, so the difference is TLS termination and the proxy itself.
 */
import { buildCertificate, generateKeyPem } from '../../src/tls/certificate-builder.ts';
import { startPeer } from '../node-child.ts';
import { writePemFiles } from '../pem-files.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST } from '../scenario.ts';
import { edgewayAvailability, startEdgeway } from './edgeway.ts';
import { nginxScenario } from './nginx.ts';

export const TLS_GROUP = 'tls';
/** One small body: the TLS scenarios measure termination, not body streaming. */
const TLS_BODY_SIZES: readonly number[] = [11];

let pair: { certPem: string; keyPem: string } | undefined;

/** The bench certificate for bench.local, self-signed, made on first use and shared by every TLS scenario. */
export function benchCertificate(): { certPem: string; keyPem: string } {
  if (pair !== undefined) return pair;
  const keyPem = generateKeyPem('rsa');
  const now = Date.now();
  const certPem = buildCertificate({
    commonName: BENCH_HOST,
    altNames: [BENCH_HOST],
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 7 * 24 * 3600_000),
    isCa: false,
    subjectKeyPem: keyPem,
  });
  pair = { certPem, keyPem };
  return pair;
}

function edgewayTls(name: string, load: 'keep-alive' | 'handshake'): Scenario {
  return {
    name,
    group: TLS_GROUP,
    bodySizes: TLS_BODY_SIZES,
    load,
    availability: edgewayAvailability,
    start: (ctx) => startEdgeway(ctx, { hosts: [BENCH_HOST], loadHost: BENCH_HOST, tls: benchCertificate() }),
  };
}

/** perf/undici-floor-peer.ts serving HTTPS with the bench certificate. */
function undiciFloorTls(name: string, load: 'keep-alive' | 'handshake'): Scenario {
  return {
    name,
    group: TLS_GROUP,
    bodySizes: TLS_BODY_SIZES,
    load,
    start: async (ctx) => {
      const files = await writePemFiles(ctx.workDir, benchCertificate());
      const { url, child } = await startPeer(ctx.procs, name, 'undici-floor', ctx.backendPort, [], files);
      return { url, host: BENCH_HOST, servername: BENCH_HOST, facts: {}, pid: child.process.pid, stop: () => child.stop() };
    },
  };
}

export function tlsScenarios(log: (line: string) => void): Scenario[] {
  return [
    edgewayTls('edgeway-https', 'keep-alive'),
    undiciFloorTls('undici-floor-https', 'keep-alive'),
    nginxScenario(log, { name: 'nginx-https', group: TLS_GROUP, bodySizes: TLS_BODY_SIZES, load: 'keep-alive', tls: benchCertificate }),
    edgewayTls('edgeway-handshakes', 'handshake'),
    undiciFloorTls('undici-floor-handshakes', 'handshake'),
    nginxScenario(log, { name: 'nginx-handshakes', group: TLS_GROUP, bodySizes: TLS_BODY_SIZES, load: 'handshake', tls: benchCertificate }),
  ];
}
