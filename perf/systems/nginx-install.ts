/**
 * Finds nginx, installing Debian's package when it is missing and we are root. Done once per bench run; when it
 * cannot be had, the bench reports "nginx: not available" instead of failing, so the other systems still count.
 */

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { tempPathModules } from './nginx-config.ts';

export interface NginxBinary {
  readonly path: string;
  readonly version: string;
  readonly tempPathModules: readonly string[];
}

const INSTALL_TIMEOUT_MS = 240_000;
const INSTALL_SCRIPT = 'apt-get update && apt-get install -y nginx-light || apt-get install -y nginx';

let cached: Promise<NginxBinary | string> | undefined;

/** The nginx binary, or a sentence saying why there is none. */
export function findOrInstallNginx(log: (line: string) => void): Promise<NginxBinary | string> {
  cached ??= locate(log);
  return cached;
}

async function locate(log: (line: string) => void): Promise<NginxBinary | string> {
  let path = onPath('nginx');
  if (path === null) {
    if (process.getuid?.() !== 0) return 'nginx is not on PATH and the bench is not root, so it cannot install it';
    log(`nginx not found; running: ${INSTALL_SCRIPT}`);
    const installed = await run('sh', ['-c', INSTALL_SCRIPT], INSTALL_TIMEOUT_MS);
    if (installed.code !== 0) return `installing nginx failed (exit ${installed.code}): ${installed.output.slice(-300).trim()}`;
    path = onPath('nginx');
    if (path === null) return 'nginx was installed but is still not on PATH';
  }
  const version = await run(path, ['-V'], 10_000);
  if (version.code !== 0) return `${path} -V failed: ${version.output.trim()}`;
  const first = version.output.split('\n').find((l) => l.startsWith('nginx version')) ?? 'nginx';
  return { path, version: first.replace('nginx version: ', ''), tempPathModules: tempPathModules(version.output) };
}

function onPath(name: string): string | null {
  // Debian puts nginx in /usr/sbin, which a non-login PATH may lack.
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
