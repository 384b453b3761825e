/** Starts edgeway in-process on a config written to a temp file, on OS-chosen ports, stopped in teardown. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { Edgeway } from '../../src/edgeway.ts';

export interface Running {
  readonly edgeway: Edgeway;
  readonly url: string;
  readonly port: number;
  readonly adminUrl: string;
  readonly dir: string;
  readonly reports: string[];
}

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeway-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface StartOptions {
  /** Also open the HTTPS entrypoint on an OS-chosen port. */
  readonly https?: boolean;
  /** Use this directory (for example one prepared with certificates) instead of a fresh one. */
  readonly dir?: string;
}

export async function startEdgeway(t: ExecutionContext, yaml: string, options: StartOptions = {}): Promise<Running> {
  const dir = options.dir ?? (await tempDir(t));
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const reports: string[] = [];
  const edgeway = await Edgeway.start({
    configPaths: [file],
    overrides: {
      http: { host: '127.0.0.1', port: 0 },
      ...(options.https === true ? { https: { host: '127.0.0.1', port: 0 } } : {}),
      admin: { host: '127.0.0.1', port: 0 },
      stateDir: join(dir, 'state'),
      logLevel: 'silent',
    },
    report: (line) => reports.push(line),
  });
  t.teardown(() => edgeway.close(0));
  const port = edgeway.addresses.find((a) => a.name === 'http')?.port ?? 0;
  return { edgeway, port, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${edgeway.adminPort}`, dir, reports };
}
