/**
 * Reads the --config paths: files as given, directories as their *.yaml and *.yml files sorted by name (not
 * recursive). Refuses, with a diagnostic naming the file, what cannot be configuration at all: a missing or unreadable
 * path, a directory without YAML, a file over the size limit, binary content. The only I/O of the config layer.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Code } from '../errors.ts';
import type { Diagnostic, SourcePosition } from './diagnostic.ts';

export interface SourceText {
  readonly path: string;
  readonly text: string;
}

export interface ReadSources {
  readonly sources: readonly SourceText[];
  readonly diagnostics: readonly Diagnostic[];
  readonly fatal: boolean;
}

const YAML_FILE = /\.ya?ml$/;

export async function readSources(paths: readonly string[], maxBytes: number): Promise<ReadSources> {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: Code, file: string, message: string, position?: SourcePosition): void => {
    diagnostics.push({ severity: 'error', code, message, position: position ?? { file, line: 1, column: 1 } });
  };
  if (paths.length === 0) {
    diagnostics.push({ severity: 'error', code: 'EW_FILE_NOT_FOUND', message: 'no configuration path given: pass --config with a file or directory' });
  }
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((e: unknown) => e as NodeJS.ErrnoException);
    if (info instanceof Error) {
      if (info.code === 'ENOENT' || info.code === 'ENOTDIR') fail('EW_FILE_NOT_FOUND', path, `${path} does not exist: check the --config path`);
      else fail('EW_FILE_UNREADABLE', path, `${path} cannot be read (${info.code ?? info.message}): check its permissions`);
      continue;
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true }).catch((e: unknown) => e as NodeJS.ErrnoException);
    if (entries instanceof Error) {
      fail('EW_FILE_UNREADABLE', path, `directory ${path} cannot be listed (${entries.code ?? entries.message}): check its permissions`);
      continue;
    }
    const names = entries
      .filter((e) => YAML_FILE.test(e.name) && (e.isFile() || e.isSymbolicLink()))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) fail('EW_DIR_EMPTY', path, `directory ${path} holds no *.yaml or *.yml files: add manifests or point --config at a file`);
    files.push(...names.map((n) => join(path, n)));
  }

  const sources: SourceText[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    // The same file named twice (directly and through its directory) is read once, not reported as duplicates.
    const real = await realpath(file).catch(() => file);
    if (seen.has(real)) continue;
    seen.add(real);
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > maxBytes) {
      fail('EW_FILE_TOO_LARGE', file, `${file} is ${size} bytes, over the limit of ${maxBytes}: split it, or raise maxConfigBytes`);
      continue;
    }
    const bytes = await readFile(file).catch((e: unknown) => e as NodeJS.ErrnoException);
    if (bytes instanceof Error) {
      fail('EW_FILE_UNREADABLE', file, `${file} cannot be read (${bytes.code ?? bytes.message}): check its permissions`);
      continue;
    }
    if (bytes.length > maxBytes) {
      fail('EW_FILE_TOO_LARGE', file, `${file} is ${bytes.length} bytes, over the limit of ${maxBytes}: split it, or raise maxConfigBytes`);
      continue;
    }
    const decoded = decodeText(file, bytes);
    if ('diagnostic' in decoded) diagnostics.push(decoded.diagnostic);
    else sources.push({ path: file, text: decoded.text });
  }
  return { sources, diagnostics, fatal: diagnostics.length > 0 };
}

/** UTF-8 text, or a diagnostic pointing at the first NUL byte or saying the bytes are not UTF-8. */
export function decodeText(file: string, bytes: Uint8Array): { text: string } | { diagnostic: Diagnostic } {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { diagnostic: binary(file, positionOfOffset(file, bytes.subarray(0, nul)), 'contains NUL bytes') };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { diagnostic: binary(file, { file, line: 1, column: 1 }, 'is not valid UTF-8') };
  }
}

/** The same check for text already decoded (loadConfigText): a NUL character means binary content. */
export function binaryTextDiagnostic(file: string, text: string): Diagnostic | undefined {
  const nul = text.indexOf('\u0000');
  if (nul === -1) return undefined;
  return binary(file, positionOfOffset(file, new TextEncoder().encode(text.slice(0, nul))), 'contains NUL characters');
}

function binary(file: string, position: SourcePosition, what: string): Diagnostic {
  return {
    severity: 'error',
    code: 'EW_FILE_BINARY',
    message: `${file} ${what}, so it is not a YAML text file: check that --config names the right file`,
    position,
  };
}

function positionOfOffset(file: string, before: Uint8Array): SourcePosition {
  const text = new TextDecoder('utf-8').decode(before);
  const lastBreak = text.lastIndexOf('\n');
  return { file, line: text.split('\n').length, column: text.length - lastBreak };
}
