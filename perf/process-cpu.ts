/**
 * CPU time a process has used (user + system), read from /proc/<pid>/stat, in microseconds; undefined where /proc is
 * not there. On a machine shared with other work, req/s moves with everyone else's load, but the CPU a proxy spends
 * per request barely does: the bench reports both, and this one is what small per-request costs show up in.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the bench runs on

export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** CPU µs per thread of a process, by thread id, with the thread's name (V8 workers, libuv pool, main). */
export function threadCpu(pid: number | undefined): Map<string, { readonly name: string; readonly micros: number }> {
  const out = new Map<string, { name: string; micros: number }>();
  if (pid === undefined) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, micros: ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND });
    }
  } catch {
    // The process or a thread ended meanwhile: what was read is returned.
  }
  return out;
}

/** The read and write syscalls (read, readv, write, writev, ...) a process has made, from /proc/PID/io. */
export function syscallCounts(pid: number | undefined): { reads: number; writes: number } {
  if (pid === undefined) return { reads: Number.NaN, writes: Number.NaN };
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: Number.NaN, writes: Number.NaN };
  }
}
