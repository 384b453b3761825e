/**
 * A TCP port on loopback where connecting hangs: a child Node process listens with a backlog of 1 and then blocks
 * its event loop, so it never accepts. Two connections fill the accept queue; from then on Linux drops further SYNs
 * (tcp_abort_on_overflow is 0 by default), so a connect neither succeeds nor is refused until the client gives up.
 * That is what connect timeouts are tested against; a refused connection (nothing listening) fails at once.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';

const CHILD = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

export async function stalledListener(t: ExecutionContext): Promise<number> {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  // Fill the accept queue (backlog 1 holds two completed connections on Linux).
  const fillers: Socket[] = [];
  t.teardown(() => fillers.forEach((s) => s.destroy()));
  for (let i = 0; i < 2; i++) {
    const socket = connect(port, '127.0.0.1');
    fillers.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  }
  return port;
}
