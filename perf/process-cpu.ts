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
    const { total } = userAndSystem(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process and every process below it (edgeway's primary and its workers, nginx's master and its workers), from
 * /proc; just `pid` where /proc cannot be listed, empty when `pid` is undefined.
 */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      const child = Number(entry);
      if (!Number.isInteger(child)) continue;
      try {
        const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
        // The 4th field overall, the second after the parenthesised command name.
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = children.get(parent) ?? [];
        list.push(child);
        children.set(parent, list);
      } catch {
        // The process ended while /proc was being read.
      }
    }
  } catch {
    return [pid];
  }
  const tree: number[] = [];
  const queue = [pid];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/**
 * CPU µs of a system's processes together: `pid` and its descendants, plus what descendants that already ended used
 * (the kernel adds a reaped child's time to its parent's cutime and cstime). Undefined where /proc is not there.
 */
export function processTreeCpuMicros(pid: number | undefined): number | undefined {
  const own = processCpuMicros(pid);
  if (own === undefined) return undefined;
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8');
      const after = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17 overall.
      total += ((Number(after[11]) + Number(after[12]) + Number(after[13]) + Number(after[14])) * 1e6) / TICKS_PER_SECOND;
    } catch {
      // Ended meanwhile: its time is in its parent's cutime once reaped.
    }
  }
  return total;
}

/** Resident memory of each process of a system (`pid` and its descendants), in MiB, from /proc/PID/status. */
export function processTreeRssMb(pid: number | undefined): number[] {
  const out: number[] = [];
  for (const member of processTree(pid)) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1];
      if (kb !== undefined) out.push(Number(kb) / 1024);
    } catch {
      // Ended meanwhile.
    }
  }
  return out;
}

/** CPU µs per thread of a process, by thread id, with the thread's name (V8 workers, libuv pool, main). */
export function threadCpu(pid: number | undefined): Map<string, { readonly name: string; readonly micros: number }> {
  const out = new Map<string, { name: string; micros: number }>();
  if (pid === undefined) return out;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(tid, { name, micros: userAndSystem(stat).total });
    }
  } catch {
    // The process or a thread ended meanwhile: what was read is returned.
  }
  return out;
}

/**
 * A process's CPU split into user and kernel time, and its context switches: whether a slow run spent its extra time
 * in JavaScript or in the kernel, and whether it was woken (voluntary) or pushed off its core (involuntary) more.
 */
export function cpuBreakdown(pid: number | undefined): { userMicros: number; systemMicros: number; voluntarySwitches: number; involuntarySwitches: number } {
  const none = { userMicros: Number.NaN, systemMicros: Number.NaN, voluntarySwitches: Number.NaN, involuntarySwitches: Number.NaN };
  if (pid === undefined) return none;
  try {
    const { user, system } = userAndSystem(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      userMicros: user,
      systemMicros: system,
      voluntarySwitches: procField(status, 'voluntary_ctxt_switches'),
      involuntarySwitches: procField(status, 'nonvoluntary_ctxt_switches'),
    };
  } catch {
    return none;
  }
}

function userAndSystem(stat: string): { user: number; system: number; total: number } {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = (Number(fields[11]) * 1e6) / TICKS_PER_SECOND;
  const system = (Number(fields[12]) * 1e6) / TICKS_PER_SECOND;
  return { user, system, total: user + system };
}

/** The read and write syscalls (read, readv, write, writev, ...) a process has made, from /proc/PID/io. */
export function syscallCounts(pid: number | undefined): { reads: number; writes: number } {
  if (pid === undefined) return { reads: Number.NaN, writes: Number.NaN };
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { reads: procField(io, 'syscr'), writes: procField(io, 'syscw') };
  } catch {
    return { reads: Number.NaN, writes: Number.NaN };
  }
}

/** A `name: number` line of a /proc file such as status or io. */
export function procField(text: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}
