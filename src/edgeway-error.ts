/**
 * The error edgeway throws (or returns) for its own failures: a stable code from the table in errors.ts, a sentence
 * for people, and, when the configuration is what failed, the diagnostics that say where. Callers match `err.code`,
 * never the class or the message, the way undici's and fastify's errors are matched: a code survives wrapping,
 * logging and serialising, a class does not.
 */
import type { Diagnostic } from './config/diagnostic.ts';
import type { Code } from './errors.ts';

export interface EdgewayErrorOptions {
  /** What rejected the input (errors with file, line and field), for status and the CLI. */
  readonly diagnostics?: readonly Diagnostic[];
  readonly cause?: unknown;
}

export class EdgewayError extends Error {
  readonly code: Code;
  readonly diagnostics: readonly Diagnostic[];

  constructor(code: Code, message: string, options: EdgewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EdgewayError';
    this.code = code;
    this.diagnostics = options.diagnostics ?? [];
  }
}
