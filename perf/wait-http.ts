/**
 * Polls a loopback URL until it answers with the wanted status, with a deadline. Used to know when nginx and
 * edgeway are ready; the poll interval is a retry pace, not a synchronisation sleep.
 */

import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ManagedChild } from './child-processes.ts';

const POLL_MS = 50;

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET, no keep-alive, never throws: a refused connection is status 0. https is not verified (bench certificates). */
export function get(url: string, host?: string): Promise<HttpAnswer> {
  const tls = url.startsWith('https:');
  const options = {
    agent: false as const,
    timeout: 5000,
    ...(tls ? { rejectUnauthorized: false, ...(host === undefined ? {} : { servername: host }) } : {}),
    ...(host === undefined ? {} : { headers: { host } }),
  };
  return send(tls ? httpsRequest : httpRequest, url, options);
}

/** One POST without a body to a plain-HTTP URL (admin actions such as /reload), with a longer deadline; never throws. */
export function post(url: string): Promise<HttpAnswer> {
  return send(httpRequest, url, { method: 'POST', agent: false, timeout: 30_000 });
}

function send(request: typeof httpRequest, url: string, options: RequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

/** Resolves when `url` answers `status`; rejects at the deadline or as soon as `child` exits. */
export async function waitForStatus(url: string, status: number, timeoutMs: number, child: ManagedChild, host?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    if (!child.running) throw new Error(`${child.name} exited (${String(child.exitStatus)}) before ${url} answered\n${child.stderrTail}`);
    last = (await get(url, host)).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${child.name}: ${url} did not answer ${status} within ${timeoutMs} ms (last status ${last})\n${child.stderrTail}`);
}
