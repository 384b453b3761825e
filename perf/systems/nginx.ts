/**
 * The `nginx` system: Debian's nginx with a generated config, one worker (or N, for the workers comparison), proxying to the backend with upstream
 * keep-alive. The reference point for "how fast can a proxy be on this machine".
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { writePemFiles } from '../pem-files.ts';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import type { BenchOptions } from '../bench-options.ts';
import type { Scenario } from '../scenario.ts';
import { BENCH_HOST, BODY_SIZES } from '../scenario.ts';
import { waitForStatus } from '../wait-http.ts';
import { nginxConfig } from './nginx-config.ts';
import { findOrInstallNginx } from './nginx-install.ts';

const READY_TIMEOUT_MS = 15_000;

export interface NginxVariant {
  readonly name: string;
  readonly group: string;
  readonly bodySizes: readonly number[];
  readonly load?: 'keep-alive' | 'handshake';
  /** Terminate TLS with this pair (written into the run's directory). */
  readonly tls?: () => { readonly certPem: string; readonly keyPem: string };
  /** `worker_processes` for this run (the bench's --workers); one when absent. */
  readonly workers?: (options: BenchOptions) => number;
}

const PLAIN: NginxVariant = { name: 'nginx', group: 'proxy', bodySizes: BODY_SIZES };

export function nginxScenario(log: (line: string) => void, variant: NginxVariant = PLAIN): Scenario {
  return {
    name: variant.name,
    group: variant.group,
    bodySizes: variant.bodySizes,
    ...(variant.load === undefined ? {} : { load: variant.load }),
    optional: true,
    availability: async () => {
      const found = await findOrInstallNginx(log);
      return typeof found === 'string' ? found : null;
    },
    start: async (ctx) => {
      const nginx = await findOrInstallNginx(log);
      if (typeof nginx === 'string') throw new Error(nginx);
      const port = await freePort();
      const prefix = join(ctx.workDir, 'nginx');
      await mkdir(prefix, { recursive: true });
      const conf = join(prefix, 'nginx.conf');
      const tls = variant.tls === undefined ? undefined : await writePemFiles(prefix, variant.tls());
      await writeFile(
        conf,
        nginxConfig({
          prefix,
          listenPort: port,
          backendPort: ctx.backendPort,
          tempPathModules: nginx.tempPathModules,
          workerProcesses: variant.workers?.(ctx.options) ?? 1,
          ...(tls === undefined ? {} : { tls }),
        }),
      );
      // -e: the error log before the config is read, else nginx touches /var/log/nginx first.
      const child = ctx.procs.start('nginx', nginx.path, ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf], { stdout: 'ignore' });
      const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/`;
      try {
        await waitForStatus(url, 200, READY_TIMEOUT_MS, child, BENCH_HOST);
      } catch (err) {
        await child.stop();
        throw err;
      }
      return { url, host: BENCH_HOST, servername: BENCH_HOST, facts: { version: nginx.version }, pid: child.process.pid, stop: () => child.stop() };
    },
  };
}
