// Small network helpers shared by the integration-test harness (Dovecot, SMTP sink).
import net from 'node:net';

export const LOCALHOST = '127.0.0.1' as const;

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago: binds port 0, reads the port the
 * kernel picked and closes the socket. Another process may take it before we bind it again, so
 * callers that start a server on it should be ready to retry with a fresh port.
 */
export async function freePort(host: string = LOCALHOST): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: unexpected server address'));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** `count` distinct free ports (held open together while choosing, so they never coincide). */
export async function freePorts(count: number, host: string = LOCALHOST): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      srv.unref();
      servers.push(srv);
      const port = await new Promise<number>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host, port: 0, exclusive: true }, () => {
          const addr = srv.address();
          if (addr === null || typeof addr === 'string') reject(new Error('freePorts: unexpected address'));
          else resolve(addr.port);
        });
      });
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export interface ProbeResult {
  /** true when a TCP connection was accepted */
  accepted: boolean;
  /** first line the server sent (greeting), if any arrived before `timeoutMs` */
  greeting?: string;
  /** error code when the connection failed (ECONNREFUSED, ...) */
  code?: string;
}

/**
 * Connects once to host:port and, if accepted, waits up to `timeoutMs` for the first line of the
 * server's greeting, then closes the connection.
 */
export async function probe(port: number, host: string = LOCALHOST, timeoutMs = 2_000): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let accepted = false;
    let buf = '';
    const sock = net.connect({ host, port });
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ accepted }), timeoutMs);
    sock.setEncoding('latin1');
    sock.once('connect', () => {
      accepted = true;
    });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish({ accepted: true, greeting: buf.slice(0, nl).replace(/\r$/, '') });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => finish({ accepted, ...(err.code ? { code: err.code } : {}) }));
    sock.once('close', () => finish({ accepted }));
  });
}

/**
 * Polls `check` until it returns a truthy value, with a short, growing delay between attempts
 * (a readiness poll, not a fixed sleep). Rejects with `describe()` in the message on timeout or
 * as soon as `abort()` returns an error.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false>,
  opts: { timeoutMs: number; what: string; abort?: () => Error | undefined; describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = 10;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw aborted;
    const r = await check();
    if (r) return r;
    const again = opts.abort?.();
    if (again) throw again;
    if (Date.now() >= deadline) {
      const extra = opts.describe ? `\n${opts.describe()}` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${extra}`);
    }
    await new Promise((r2) => setTimeout(r2, delay));
    delay = Math.min(delay * 2, 100);
  }
}
