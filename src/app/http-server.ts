import { accessSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { parseListen } from '../config/listen-address.js';
import type { MailSource } from '../sources/mail-source.js';
import type { Repositories } from '../store/repositories.js';
import type { DaemonMetrics } from './metrics.js';

/** A pending mail due longer ago than this means the outbox is stuck (the loop runs every second). */
export const OUTBOX_STUCK_AFTER_MS = 10 * 60_000;

export interface Health {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

export interface HealthSources {
  repos: Repositories;
  /** The database file, or ':memory:'. */
  dbPath: string;
  source: () => MailSource | undefined;
  now: () => number;
}

/**
 * /healthz: the database takes a write lock (and its file is writable), the source is connected,
 * and no pending mail has been due for more than OUTBOX_STUCK_AFTER_MS.
 */
export function checkHealth(h: HealthSources): Health {
  const checks: Health['checks'] = [];
  try {
    if (h.dbPath !== ':memory:') accessSync(h.dbPath, constants.W_OK);
    h.repos.db.exec('BEGIN IMMEDIATE');
    h.repos.db.exec('ROLLBACK');
    checks.push({ name: 'database', ok: true, detail: 'writable' });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: `not writable: ${(err as Error).message}` });
  }
  const source = h.source();
  if (source) {
    const s = source.status();
    const ok = s.state === 'connected';
    const detail = ok ? 'connected' : `${s.state}${s.lastError ? `: ${s.lastError}` : ''}`;
    checks.push({ name: 'source', ok, detail });
  } else {
    checks.push({ name: 'source', ok: true, detail: 'none (mail arrives through tidings ingest)' });
  }
  const row = h.repos.db.prepare("SELECT min(next_attempt_at) AS due FROM outbox WHERE status = 'pending'").get() as { due: number | null };
  const overdue = row.due === null ? 0 : h.now() - row.due;
  checks.push(
    overdue > OUTBOX_STUCK_AFTER_MS
      ? { name: 'outbox', ok: false, detail: `oldest pending mail due ${Math.round(overdue / 1000)} s ago` }
      : { name: 'outbox', ok: true, detail: 'not stuck' },
  );
  return { ok: checks.every((c) => c.ok), checks };
}

export interface HttpEndpoint {
  /** The bound address, e.g. 127.0.0.1:8025 (the real port when the config says :0). */
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(d: { listen: string; health: () => Health; metrics: DaemonMetrics; logger: Logger }): Promise<HttpEndpoint> {
  const { host, port } = parseListen(d.listen) as { host: string; port: number };
  let wasOk = true;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const url = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
        } else if (url === '/healthz') {
          const h = d.health();
          // Logged on a change only, so a probe every few seconds does not flood the log.
          if (!h.ok && wasOk) d.logger.warn({ event: 'health.failing', checks: h.checks.filter((c) => !c.ok) }, 'health check failing');
          if (h.ok && !wasOk) d.logger.info({ event: 'health.ok' }, 'health check passing again');
          wasOk = h.ok;
          res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
        } else if (url === '/metrics') {
          const body = await d.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': d.metrics.registry.contentType }).end(body);
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        }
      } catch (err) {
        d.logger.error({ event: 'http.error', err }, 'HTTP request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const address = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  d.logger.info({ event: 'http.listening', address }, `HTTP on ${address} (/healthz, /metrics)`);
  return {
    address,
    port: a.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
