/**
 * The benches' MTA side of LMTP: a fixed number of connections kept open (nodemailer's pooled SMTP
 * transport in LMTP mode, as a Postfix lmtp client keeps its cached connections), one message at
 * a time on each, and a delivery counts only once its recipient's final 250 came back, which the
 * daemon sends after the commit. Anything else is an error, never a retry: a bench that loses or
 * doubles a message must say so.
 */
import net from 'node:net';
import nodemailer from 'nodemailer';

export interface LmtpPool {
  /** Resolves on the recipient's 250; rejects with the reply otherwise. */
  deliver(raw: Buffer, from: string, to: string): Promise<void>;
  close(): void;
}

export function lmtpPool(host: string, port: number, connections: number): LmtpPool {
  const transport = nodemailer.createTransport({
    host,
    port,
    lmtp: true,
    pool: true,
    maxConnections: connections,
    // one long-lived connection per slot, like an MTA's connection cache
    maxMessages: Number.POSITIVE_INFINITY,
    secure: false,
    ignoreTLS: true,
    name: 'mta.bench.localhost',
    socketTimeout: 600_000,
  });
  return {
    async deliver(raw, from, to) {
      const info = await transport.sendMail({ envelope: { from, to: [to] }, raw });
      if (info.accepted.length !== 1) throw new Error(`LMTP delivery not accepted: ${info.response} (rejected ${JSON.stringify(info.rejected)})`);
    },
    close: () => transport.close(),
  };
}

/** Waits until something accepts connections on host:port (the daemon's listener is up). */
export async function waitForListener(host: string, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs `work(i)` for i = 0..n-1 in order of start, `slots` at a time. */
export async function inOrder(n: number, slots: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: slots }, async () => {
      while (next < n) await work(next++);
    }),
  );
}
