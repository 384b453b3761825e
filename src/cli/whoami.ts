/**
 * `edgeway whoami`: the demo backend. Answers every request with its name, the request line and the headers it
 * received (plain text, or JSON when the client asks with `Accept: application/json`), and the size of any body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseHostPort } from '../config/settings-document.ts';
import { listenOn } from '../dataplane/listeners/listen-on.ts';

export interface WhoamiOptions {
  readonly host: string;
  readonly port: number;
  readonly name: string;
}

export async function startWhoami(options: WhoamiOptions): Promise<Server> {
  const server = createServer((req, res) => answer(options.name, req, res));
  server.keepAliveTimeout = 65_000;
  await listenOn(server, options.host, options.port);
  return server;
}

function answer(name: string, req: IncomingMessage, res: ServerResponse): void {
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
  req.on('end', () => {
    const requestLine = `${req.method} ${req.url} HTTP/${req.httpVersion}`;
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const body = wantsJson
      ? JSON.stringify({ name, request: requestLine, method: req.method, url: req.url, headers, bodyBytes }) + '\n'
      : `name: ${name}\n${requestLine}\n${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\nbody: ${bodyBytes} bytes\n`;
    res.writeHead(200, {
      'content-type': wantsJson ? 'application/json' : 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-whoami': name,
    });
    res.end(body);
  });
}

export async function runWhoami(argv: readonly string[]): Promise<number> {
  let values: { listen?: string; name?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { listen: { type: 'string' }, name: { type: 'string' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`edgeway whoami: ${(err as Error).message} (see edgeway whoami --help)\n`);
    return 2;
  }
  const at = parseHostPort(values.listen ?? '127.0.0.1:8081');
  if (at === undefined) {
    process.stderr.write(`edgeway whoami: --listen must be HOST:PORT, got ${JSON.stringify(values.listen)}\n`);
    return 2;
  }
  const name = values.name ?? hostname();
  const server = await startWhoami({ host: at.host, port: at.port, name });
  const address = server.address();
  process.stdout.write(`whoami ${name} listening on ${typeof address === 'object' && address ? `${address.address}:${address.port}` : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
