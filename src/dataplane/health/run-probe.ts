/**
 * One active health check against one endpoint, as the kubelet runs a readinessProbe: an HTTP(S) GET that passes
 * with a status from 200 to 399, or a TCP connect that passes when it opens. HTTPS certificates are not verified
 * (the kubelet does not either). Each check uses a fresh connection, so a check never queues behind traffic and
 * a half-dead keep-alive socket cannot make a dead endpoint look alive.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthProbe } from '../../controllers/resolved-endpoint.ts';

export interface ProbeResult {
  readonly ok: boolean;
  /** `200`, `503`, `ECONNREFUSED`, `timeout`, `connected`, for the admin API. */
  readonly detail: string;
}

export function runProbe(address: string, probe: HealthProbe): Promise<ProbeResult> {
  return probe.kind === 'tcp' ? tcpProbe(address, probe) : httpProbe(address, probe);
}

function httpProbe(address: string, probe: HealthProbe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'user-agent': 'edgeway-health-check', accept: '*/*', connection: 'close' };
    for (const [name, value] of probe.headers) headers[name.toLowerCase()] = value;
    const request = probe.scheme === 'https' ? httpsRequest : httpRequest;
    const req = request(
      { host: address, port: probe.port, path: probe.path, method: 'GET', headers, agent: false, timeout: probe.timeoutMs, rejectUnauthorized: false },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        resolve({ ok: status >= 200 && status < 400, detail: String(status) });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: err.code ?? err.message }));
    req.end();
  });
}

function tcpProbe(address: string, probe: HealthProbe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: probe.port, timeout: probe.timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: 'connected' });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, detail: 'timeout' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: err.code ?? err.message }));
  });
}
