/**
 * Persists the allocation state as JSON in the state dir, so addresses survive restarts.
 *
 * Writes are atomic: the JSON goes to a temporary file in the same directory, is fsynced, renamed over the old file,
 * and the directory is fsynced, so a crash leaves either the old file or the new one, never half of one. Loading a
 * missing file gives the empty state (first start). A file that cannot be read or parsed stops the start with
 * EW_STATE_CORRUPT instead of being replaced: silently starting over would hand addresses people rely on to other
 * Services.
 *
 * Beside the state the file records its revision (`"revision": n`, one higher with each save through
 * FileAllocationStore), which a save compares against the one it read. Files without it read as revision 0.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AllocationState, NodePortRecord, ServiceRecord } from './allocation-state.ts';
import type { StoredAllocation } from './allocation-store.ts';
import { EMPTY_ALLOCATION_STATE } from './allocation-state.ts';
import { canonicalIp } from '../net/ip-range.ts';

export const STATE_FILE_NAME = 'allocations.json';

/** Thrown by loadAllocationState; callers match on `code`. */
export class StateCorruptError extends Error {
  readonly code = 'EW_STATE_CORRUPT';
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `${file}: the allocation state file ${problem}. edgeway will not start over on its own, because that could move ` +
        `addresses people rely on to other Services. To start with fresh allocations, move it aside: mv ${file} ${file}.bad`,
      options,
    );
    this.name = 'StateCorruptError';
    this.file = file;
  }
}

export function stateFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILE_NAME);
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ipList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const ip = typeof item === 'string' ? canonicalIp(item) : undefined;
    if (ip === undefined) return undefined;
    out.push(ip);
  }
  return out;
}

function nodePortRecord(value: unknown): NodePortRecord | undefined {
  if (!isObject(value)) return undefined;
  const { port, protocol, nodePort } = value;
  if (!Number.isInteger(port) || !Number.isInteger(nodePort) || typeof protocol !== 'string' || !PROTOCOLS.has(protocol)) return undefined;
  return { port: port as number, nodePort: nodePort as number, protocol: protocol as NodePortRecord['protocol'] };
}

/** Checks a parsed document; returns the problem in words, or the state. */
export function parseAllocationState(document: unknown): AllocationState | string {
  if (!isObject(document)) return 'does not hold a JSON object';
  if (document['version'] !== 1) {
    return typeof document['version'] === 'number'
      ? `has format version ${document['version']}, which this edgeway does not know (it reads version 1; was it written by a newer edgeway?)`
      : 'has no format version';
  }
  const services = document['services'];
  if (!isObject(services)) return 'has no "services" object';
  const out: Record<string, ServiceRecord> = {};
  for (const [key, record] of Object.entries(services)) {
    const where = `has a bad record for Service "${key}"`;
    if (!/^[^/]+\/[^/]+$/.test(key) || !isObject(record)) return where;
    const clusterIPs = ipList(record['clusterIPs']);
    if (clusterIPs === undefined) return `${where} (clusterIPs)`;
    if (!Array.isArray(record['nodePorts'])) return `${where} (nodePorts)`;
    const nodePorts: NodePortRecord[] = [];
    for (const item of record['nodePorts']) {
      const parsed = nodePortRecord(item);
      if (parsed === undefined) return `${where} (nodePorts)`;
      nodePorts.push(parsed);
    }
    const lb = record['loadBalancer'];
    let loadBalancer: ServiceRecord['loadBalancer'] = null;
    if (lb !== null && lb !== undefined) {
      const ips = isObject(lb) ? ipList(lb['ips']) : undefined;
      if (!isObject(lb) || typeof lb['pool'] !== 'string' || ips === undefined) return `${where} (loadBalancer)`;
      loadBalancer = { pool: lb['pool'], ips };
    }
    out[key] = { clusterIPs, nodePorts, loadBalancer };
  }
  return { version: 1, services: out };
}

/** Reads the state; a missing file is the empty state; anything else wrong throws StateCorruptError. */
export async function loadAllocationState(stateDir: string): Promise<AllocationState> {
  return (await readAllocationFile(stateDir)).state;
}

/**
 * Reads the state with the revision recorded beside it (a file written before revisions were kept reads as
 * revision 0); a missing file is the empty state at revision 0; anything else wrong throws StateCorruptError.
 */
export async function readAllocationFile(stateDir: string): Promise<StoredAllocation> {
  const file = stateFilePath(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: EMPTY_ALLOCATION_STATE, revision: 0 };
    throw new StateCorruptError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StateCorruptError(file, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = parseAllocationState(document);
  if (typeof parsed === 'string') throw new StateCorruptError(file, parsed);
  const revision = (document as Record<string, unknown>)['revision'] ?? 0;
  if (!Number.isSafeInteger(revision) || (revision as number) < 0)
    throw new StateCorruptError(file, 'has a "revision" that is not a whole number of 0 or more');
  return { state: parsed, revision: revision as number };
}

/**
 * Writes the state atomically (temp file, fsync, rename, fsync of the directory), recording `revision` beside it.
 * It checks no revision itself: FileAllocationStore (file-allocation-store.ts) does that before calling it.
 */
export async function saveAllocationState(stateDir: string, state: AllocationState, revision = 0): Promise<void> {
  const file = stateFilePath(stateDir);
  const temp = join(stateDir, `.${STATE_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const text = `${JSON.stringify({ version: state.version, revision, services: state.services }, null, 2)}\n`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(stateDir);
}

/** Makes the rename durable. Some platforms cannot fsync a directory; the rename is still atomic there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}
