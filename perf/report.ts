/**
 * The Markdown the bench prints: the proxy comparison table, edgeway's ratios, and the routing-scale table. Pure:
 * summaries in, text out.
 */

import type { Measurement, Spread, Summary } from './stats.ts';
import { median, pairedRatios, ratio } from './stats.ts';

export interface Unavailable {
  readonly scenario: string;
  readonly group: string;
  readonly reason: string;
}

const PROXY_HEADER = [
  '| system | body | req/s (median) | spread (min–max) | p50 ms | p99 ms | bad responses | runs |',
  '|---|---|---:|---|---:|---:|---:|---:|',
];

export function proxyTable(summaries: readonly Summary[], unavailable: readonly Unavailable[]): string {
  const rows = summaries
    .filter((s) => s.group === 'proxy')
    .map(
      (s) =>
        `| ${s.scenario} | ${formatBytes(s.bodySize)} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${runs(s)} |`,
    );
  return [...PROXY_HEADER, ...rows, ...unavailableRows(unavailable, 'proxy', 8)].join('\n');
}

/**
 * CPU µs the proxy process spent per request (median over runs), for the systems that report it. Unlike req/s it
 * hardly moves with other load on the machine, so it is where a small per-request cost shows.
 */
export function cpuTable(summaries: readonly Summary[]): string | null {
  // Every scenario whose proxy reports its CPU: the proxy comparison, and the health and reload pairs, where a
  // small per-request cost is exactly what req/s on a shared machine cannot resolve.
  const rows = summaries.filter((s) => s.facts['cpuMicrosPerRequest'] !== undefined);
  if (rows.length === 0) return null;
  return [
    '| system | body | CPU µs per request (median) |',
    '|---|---|---:|',
    ...rows.map((s) => `| ${s.scenario} | ${formatBytes(s.bodySize)} | ${(s.facts['cpuMicrosPerRequest'] ?? Number.NaN).toFixed(1)} |`),
  ].join('\n');
}

/** edgeway's median req/s over each other system's, per body size, from the same run. */
export function ratioTable(summaries: readonly Summary[], bodySizes: readonly number[]): string {
  const others = ['http-proxy', 'nginx', 'undici-floor', 'direct'];
  const lines = [`| body | ${others.map((o) => `edgeway/${o}`).join(' | ')} |`, `|---|${others.map(() => '---:').join('|')}|`];
  for (const size of bodySizes) {
    lines.push(`| ${formatBytes(size)} | ${others.map((o) => formatRatio(ratio(summaries, 'edgeway', o, size))).join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * edgeway's req/s over each peer's within each repetition, and their median: the estimate least moved by the host's
 * drift during the run (see pairedRatios); then the same for requests per CPU-second, where the run measured CPU.
 */
export function pairedRatioLines(measurements: readonly Measurement[], bodySizes: readonly number[]): string {
  const lines = ['Per repetition (edgeway and the peer measured minutes apart in the same repetition):', ''];
  for (const [metric, label] of [
    ['throughput', ''],
    ['efficiency', ' requests per CPU-second'],
  ] as const) {
    for (const peer of ['http-proxy', 'nginx']) {
      for (const size of bodySizes) {
        const ratios = pairedRatios(measurements, 'edgeway', peer, size, metric);
        if (ratios.length === 0) continue;
        lines.push(`- edgeway/${peer}${label}, ${formatBytes(size)}: ${ratios.map(formatRatio).join(', ')} (median ${formatRatio(median(ratios))})`);
      }
    }
  }
  return lines.length === 2 ? '' : lines.join('\n');
}

/**
 * The TLS table: keep-alive HTTPS and new-handshake rates for edgeway and nginx (and the undici floor behind
 * node:https), then edgeway/nginx from medians of the same run, and the keep-alive ratios per repetition. For
 * handshake rows, req/s is connections (= handshakes) per second and latency is per connection.
 */
export function tlsTable(summaries: readonly Summary[], unavailable: readonly Unavailable[], measurements: readonly Measurement[] = []): string {
  const lines = ['| system | load | req/s (median) | spread (min–max) | p50 ms | p99 ms | bad responses | runs |', '|---|---|---:|---|---:|---:|---:|---:|'];
  const tls = summaries.filter((s) => s.group === 'tls');
  for (const s of tls) {
    const load = s.scenario.endsWith('-handshakes') ? 'new TLS connection per request' : 'HTTPS keep-alive';
    lines.push(
      `| ${s.scenario} | ${load} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${runs(s)} |`,
    );
  }
  lines.push(...unavailableRows(unavailable, 'tls', 8));
  const size = tls[0]?.bodySize ?? 11;
  const keepAlive = ratio(summaries, 'edgeway-https', 'nginx-https', size);
  const handshakes = ratio(summaries, 'edgeway-handshakes', 'nginx-handshakes', size);
  lines.push('', `edgeway/nginx: HTTPS keep-alive ${formatRatio(keepAlive)}, new handshakes ${formatRatio(handshakes)}`);
  const pairs = [
    ['edgeway-https', 'nginx-https'],
    ['undici-floor-https', 'nginx-https'],
    ['edgeway-https', 'undici-floor-https'],
    ['edgeway-handshakes', 'nginx-handshakes'],
    ['undici-floor-handshakes', 'nginx-handshakes'],
  ] as const;
  const perRep: string[] = [];
  for (const [a, b] of pairs) {
    const ratios = pairedRatios(measurements, a, b, size);
    if (ratios.length > 0) perRep.push(`- ${a}/${b}: ${ratios.map(formatRatio).join(', ')} (median ${formatRatio(median(ratios))})`);
  }
  if (perRep.length > 0) lines.push('', 'req/s per repetition:', '', ...perRep);
  return lines.join('\n');
}

export interface RoutingComparison {
  readonly small: string;
  readonly large: string;
  /** Largest accepted shortfall of the large table's req/s, as a fraction (0.05 = within 5%). */
  readonly bar: number;
}

export function routingTable(summaries: readonly Summary[], unavailable: readonly Unavailable[], compare: RoutingComparison): string {
  const lines = [
    '| config | compile ms | ready ms | req/s (median) | spread (min–max) | p50 ms | p99 ms | bad responses | runs |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const s of summaries.filter((x) => x.group === 'routing')) {
    lines.push(
      `| ${s.scenario} | ${formatMs(s.facts['compileMs'] ?? Number.NaN)} | ${formatMs(s.facts['readyMs'] ?? Number.NaN)} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${runs(s)} |`,
    );
  }
  lines.push(...unavailableRows(unavailable, 'routing', 9));
  const size = summaries.find((s) => s.scenario === compare.large)?.bodySize ?? 11;
  const r = ratio(summaries, compare.large, compare.small, size);
  if (Number.isFinite(r)) {
    const bar = `${compare.bar * 100}%`;
    const verdict = r >= 1 - compare.bar ? `meets the bar: at most ${bar} slower` : `FAILS the bar: more than ${bar} slower`;
    // A spread wider than the bar means the verdict is noise-limited; say so rather than let it read as a result.
    const noise = Math.max(...[compare.small, compare.large].map((name) => relativeSpread(summaries, name)));
    const caveat = noise > compare.bar ? `; runs spread up to ${Math.round(noise * 100)}% of their median, so this is within noise` : '';
    lines.push('', `${compare.large} / ${compare.small} req/s: ${formatRatio(r)} (${verdict}${caveat})`);
  }
  return lines.join('\n');
}

export interface ReloadComparison {
  readonly steady: string;
  readonly reloading: string;
  /** Largest accepted shortfall of req/s while reloading, as a fraction. */
  readonly bar: number;
  readonly intervalMs: number;
}

/** Steady state against reload loops on the same 10,000-object configuration, with time to swap. */
export function reloadTable(summaries: readonly Summary[], unavailable: readonly Unavailable[], compare: ReloadComparison): string {
  const lines = [
    '| config | reloads | failed reloads | swap ms (median) | swap ms (max) | req/s (median) | spread (min–max) | p99 ms | bad responses | runs |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  const fact = (s: Summary, key: string): string => (s.facts[key] === undefined ? '–' : formatMs(s.facts[key]));
  for (const s of summaries.filter((x) => x.group === 'reload')) {
    lines.push(
      `| ${s.scenario} | ${fact(s, 'reloads')} | ${fact(s, 'reloadFailures')} | ${fact(s, 'swapMsMedian')} | ${fact(s, 'swapMsMax')} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${runs(s)} |`,
    );
  }
  lines.push(...unavailableRows(unavailable, 'reload', 10));
  const r = ratio(summaries, compare.reloading, compare.steady, 11);
  if (Number.isFinite(r)) {
    const bar = `${compare.bar * 100}%`;
    const verdict = r >= 1 - compare.bar ? `meets the bar: at most ${bar} lower` : `FAILS the bar: more than ${bar} lower`;
    lines.push('', `${compare.reloading} / ${compare.steady} req/s: ${formatRatio(r)} with a reload every ${compare.intervalMs} ms (${verdict})`);
  }
  return lines.join('\n');
}

/** (max − min) / median of a scenario's req/s; 0 when unknown. */
function relativeSpread(summaries: readonly Summary[], name: string): number {
  const s = summaries.find((x) => x.scenario === name)?.requestsPerSec;
  return s === undefined || !(s.median > 0) ? 0 : (s.max - s.min) / s.median;
}

function unavailableRows(unavailable: readonly Unavailable[], group: string, columns: number): string[] {
  return unavailable.filter((u) => u.group === group).map((u) => `| ${u.scenario} | not available |${' – |'.repeat(columns - 3)} 0 |`);
}

/** One line per system that could not run, saying why (printed under the tables). */
export function unavailableNotes(unavailable: readonly Unavailable[]): string {
  return unavailable.map((u) => `${u.scenario}: not available (${u.reason.split('\n')[0] ?? ''})`).join('\n');
}

function runs(s: Summary): string {
  return s.failedRuns === 0 ? String(s.runs) : `${s.runs} (${s.failedRuns} failed)`;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

export function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

export function formatSpread(s: Spread): string {
  return Number.isFinite(s.min) ? `${formatRate(s.min)}–${formatRate(s.max)}` : '–';
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 100) / 100);
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '–';
}

/**
 * The address scenarios: req/s and payload MB/s (req/s × body size) per scenario and body, then the two comparisons
 * the issue asks for: LoadBalancer IP with appProtocol http over the Ingress path, and L4 pass-through over direct.
 */
export function addressesTable(summaries: readonly Summary[], unavailable: readonly Unavailable[]): string {
  const lines = [
    '| scenario | body | req/s (median) | spread (min–max) | MB/s (median) | p50 ms | p99 ms | bad responses | runs |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of summaries.filter((x) => x.group === 'addresses')) {
    const mbps = (s.requestsPerSec.median * s.bodySize) / 1e6;
    lines.push(
      `| ${s.scenario} | ${formatBytes(s.bodySize)} | ${formatRate(s.requestsPerSec.median)} | ${formatSpread(s.requestsPerSec)} | ${Number.isFinite(mbps) ? mbps.toFixed(1) : '–'} | ${formatMs(s.latencyP50Ms)} | ${formatMs(s.latencyP99Ms)} | ${s.badResponses} | ${runs(s)} |`,
    );
  }
  lines.push(...unavailableRows(unavailable, 'addresses', 9), '');
  const sizes = [...new Set(summaries.filter((s) => s.scenario === 'lb-http').map((s) => s.bodySize))];
  for (const size of sizes) lines.push(`lb-http / ingress-path req/s, ${formatBytes(size)}: ${formatRatio(ratio(summaries, 'lb-http', 'ingress-path', size))}`);
  const l4 = summaries.find((s) => s.scenario === 'l4-edgeway')?.bodySize;
  if (l4 !== undefined) lines.push(`l4-edgeway / l4-direct MB/s, ${formatBytes(l4)}: ${formatRatio(ratio(summaries, 'l4-edgeway', 'l4-direct', l4))}`);
  return lines.join('\n');
}
