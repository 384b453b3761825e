/**
 * Binds a server and resolves with the port it got (port 0 asks the OS), or rejects with the bind error
 * (EADDRINUSE, EADDRNOTAVAIL, EACCES) so the caller decides whether that is fatal or a condition.
 */
import type { Server } from 'node:net';

export function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}
