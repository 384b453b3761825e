/**
 * What a benchmark scenario is: a name, a group (which table it is reported in), and how to start its processes in
 * front of a freshly started backend, giving back the URL and Host to load. The runner is generic over these, so a
 * new scenario (HTTPS, L4, reload under load) is one more small object, not a change to the runner.
 */

import type { BenchOptions } from './bench-options.ts';
import type { ChildProcesses } from './child-processes.ts';

export interface StartContext {
  readonly procs: ChildProcesses;
  readonly options: BenchOptions;
  /** The backend started for this run, on 127.0.0.1. */
  readonly backendPort: number;
  /** A fresh empty directory for this start's config, state and logs; removed afterwards. */
  readonly workDir: string;
}

export interface RunningTarget {
  /** Where autocannon sends load (loopback only). */
  readonly url: string;
  /** Host header for every request. */
  readonly host: string;
  /** The TLS server name for handshake load. */
  readonly servername?: string;
  /** Facts measured while starting (e.g. compileMs), reported as medians beside the load numbers. */
  readonly facts: Readonly<Record<string, number | string>>;
  /** Facts measured while the load ran (e.g. reload swap times), merged into `facts` after the measured load. */
  afterLoad?(): Promise<Readonly<Record<string, number | string>>>;
  /** The system's own process, when it has one: the CPU time per request of it and every process below it (workers) is read from /proc (process-cpu.ts). */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  /** `proxy` scenarios share the comparison table; `routing` ones the routing-scale table. */
  readonly group: string;
  /** Response body sizes this scenario is measured with, in order. */
  readonly bodySizes: readonly number[];
  /** Load connections for this scenario, when it needs a fixed number rather than --connections. */
  readonly connections?: number;
  /**
   * Runs only when named in --only (by name or group): long scenarios such as the 10,000-object reloads, kept out of
   * the default run and of --smoke so the test suite stays fast.
   */
  readonly onRequest?: boolean;
  /** When it cannot run, the bench reports it and goes on even under --smoke (nginx may not be installable). */
  readonly optional?: boolean;
  /** Checked once before any run: null when it can run, else why not (the report shows a "not available" row). */
  readonly availability?: () => Promise<string | null>;
  /**
   * How load is applied: autocannon's keep-alive connections (default), or one request per new TLS connection
   * (handshake-load.ts), which needs the target's `servername`.
   */
  readonly load?: 'keep-alive' | 'handshake';
  readonly start: (ctx: StartContext) => Promise<RunningTarget>;
}

/** The two bodies every proxy comparison uses: `hello world`, then 16 KiB. */
export const BODY_SIZES: readonly number[] = [11, 16 * 1024];
export const BENCH_HOST = 'bench.local';
