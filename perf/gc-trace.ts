/**
 * Sums V8's `--trace-gc-nvp` lines (one `name=value` line per collection) into what a collection costs a proxy: how
 * many young (scavenge) and full (mark-compact) collections ran and their CPU on the main thread and, for full ones,
 * the concurrent marking on helper threads, which is most of a full collection's cost and shows up in no profile of
 * the main thread. Pure: the caller feeds lines.
 */

export interface GcTally {
  scavenges: number;
  scavengeMs: number;
  fullCollections: number;
  /** Main thread: the final pause plus the incremental marking steps. */
  fullMainMs: number;
  /** Helper threads: concurrent marking. */
  fullBackgroundMs: number;
}

export function emptyGcTally(): GcTally {
  return { scavenges: 0, scavengeMs: 0, fullCollections: 0, fullMainMs: 0, fullBackgroundMs: 0 };
}

/** Adds one output line to `tally` when it is a --trace-gc-nvp record; other lines (logs, JSON) are ignored. */
export function addGcTraceLine(tally: GcTally, line: string): void {
  // V8's records start `[pid:0xisolate(:thread)]   time ms: pause=`; access-log lines can carry any text.
  if (!/^\[\d+:0x[0-9a-f]+(?::\d+)?\]\s+\d+ ms: pause=/.test(line)) return;
  const kind = /\bgc=([a-z]+)\b/.exec(line)?.[1];
  const value = (name: string): number => Number(new RegExp(`\\b${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
  if (kind === 's') {
    tally.scavenges++;
    tally.scavengeMs += value('pause');
  } else if (kind === 'mc') {
    tally.fullCollections++;
    tally.fullMainMs += value('pause') + value('incremental');
    tally.fullBackgroundMs += value('background\\.mark');
  }
}
