/**
 * A free loopback port for processes that must be told their port up front (nginx, edgeway). The OS picks it; there
 * is a small window before the child binds it, which a failed start reports plainly.
 */

import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new Error('no port from the OS')) : resolve(port)));
    });
  });
}
