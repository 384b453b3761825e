/**
 * The benchmark's process registry: every child the bench starts (backends, proxies, nginx, edgeway, autocannon)
 * goes through here, so one place can kill them all when the script ends, fails or is interrupted. A bench that
 * leaves a backend running skews the next run, so this is not optional tidiness.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SpawnOptions {
  /** Where the child's stdout goes: piped to us (to read a ready line or JSON), or discarded. */
  readonly stdout: 'pipe' | 'ignore';
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Keeps at most this much of a child's stderr, to explain a failure without holding megabytes. */
const STDERR_TAIL_BYTES = 8192;

export class ManagedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Settles when the child has exited, with its exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  #stderrTail = '';
  #exitStatus: number | string | null = null;

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.process = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitStatus = code ?? signal ?? 'unknown';
        resolve(this.#exitStatus);
      });
      // A spawn failure (ENOENT) emits 'error' and never 'exit'.
      child.once('error', (err) => {
        this.#stderrTail += `\n${err.message}`;
        this.#exitStatus ??= 'spawn-error';
        resolve(this.#exitStatus);
      });
    });
  }

  get running(): boolean {
    return this.#exitStatus === null;
  }

  get exitStatus(): number | string | null {
    return this.#exitStatus;
  }

  get stderrTail(): string {
    return this.#stderrTail;
  }

  /**
   * Resolves with the first stdout line `accept` maps to a value; rejects if the child exits first or the deadline
   * passes. Our own children announce readiness this way (a JSON line with their port).
   */
  waitForLine<T>(accept: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    const stdout = this.process.stdout;
    if (stdout === null) return Promise.reject(new Error(`${this.name}: stdout is not piped`));
    return new Promise<T>((resolve, reject) => {
      const lines = createInterface({ input: stdout });
      const finish = (err: Error | null, value?: T): void => {
        clearTimeout(timer);
        lines.close();
        if (err !== null) reject(err);
        else resolve(value as T);
      };
      const timer = setTimeout(() => finish(new Error(`${this.name}: not ready after ${timeoutMs} ms\n${this.#stderrTail}`)), timeoutMs);
      lines.on('line', (line) => {
        const value = accept(line);
        if (value !== undefined) finish(null, value);
      });
      void this.exited.then((status) => finish(new Error(`${this.name} exited (${String(status)}) before it was ready\n${this.#stderrTail}`)));
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. Graceful first so --cpu-prof can write. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.running) this.process.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}

export class ChildProcesses {
  readonly #children = new Set<ManagedChild>();
  #hooked = false;

  /** Starts a child and tracks it until it exits. stderr is always piped (kept as a tail for error messages). */
  start(name: string, command: string, args: readonly string[], options: SpawnOptions): ManagedChild {
    this.#hook();
    // stdin stays a pipe: our own children exit when it closes, so they die even if this process is SIGKILLed.
    const stdio: StdioOptions = ['pipe', options.stdout, 'pipe'];
    const child = new ManagedChild(
      name,
      spawn(command, args, { stdio, env: options.env ?? process.env, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) }),
    );
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
    return child;
  }

  /** Stops every child still running, gracefully. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map((child) => child.stop()));
  }

  /** Synchronous last resort for process exit: SIGKILL whatever is left. */
  killAllNow(): void {
    for (const child of this.#children) {
      if (child.running) child.process.kill('SIGKILL');
    }
  }

  #hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    process.once('exit', () => this.killAllNow());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
        for (const child of this.#children) if (child.running) child.process.kill('SIGTERM');
        // The 'exit' hook SIGKILLs anything that did not take the hint.
        process.exit(130);
      });
    }
  }
}
