// A free loopback port, for programs that cannot report the one they picked themselves (Mailpit,
// Prometheus, a bundled target started as its own process): asked of the kernel, then released.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
