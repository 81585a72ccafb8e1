import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MailSource } from '../sources/mail-source.js';
import type { Repositories } from '../store/repositories.js';

/**
 * The daemon's Prometheus metrics, on a registry of its own (never prom-client's global one), so
 * several daemons in one process (tests) do not collide. Values that live in the database (open
 * tickets, outbox depth and failures) or in the source (lag, reconnects) are read at scrape time;
 * the ingest pipeline increments the ingest counters as messages commit.
 */
export interface DaemonMetrics {
  registry: Registry;
  ingested: Counter<'class'>;
  quarantined: Counter;
  /** Incremented by the escalation loop (issue 6) per notice sent. */
  noticesSent: Counter<'threshold'>;
  /** Observed by the escalation loop (issue 6) per scan. */
  escalationScanSeconds: Histogram;
}

export interface MetricsSources {
  repos: Repositories;
  source: () => MailSource | undefined;
}

export function createMetrics(from: MetricsSources): DaemonMetrics {
  const registry = new Registry();
  const registers = [registry];
  const ingested = new Counter({ name: 'tidings_messages_ingested_total', help: 'Messages ingested, by classification (client, automated, bounce, spam ...)', labelNames: ['class'] as const, registers });
  const quarantined = new Counter({ name: 'tidings_quarantined_total', help: 'Messages put in quarantine', registers });
  new Gauge({
    name: 'tidings_tickets_open',
    help: 'Tickets not closed, by service level',
    labelNames: ['level'] as const,
    registers,
    collect() {
      this.reset();
      const rows = from.repos.db.prepare("SELECT level, count(*) AS n FROM tickets WHERE status <> 'closed' GROUP BY level").all() as { level: string; n: number }[];
      for (const r of rows) this.set({ level: r.level }, r.n);
    },
  });
  const noticesSent = new Counter({ name: 'tidings_notices_sent_total', help: 'Escalation notices sent, by threshold', labelNames: ['threshold'] as const, registers });
  new Gauge({
    name: 'tidings_outbox_depth',
    help: 'Outgoing mails waiting to be sent',
    registers,
    collect() {
      this.set(from.repos.outbox.countByStatus().pending);
    },
  });
  new Counter({
    name: 'tidings_outbox_failures_total',
    help: 'Failed send attempts (retried or given up), from the event log',
    registers,
    collect() {
      const row = from.repos.db.prepare("SELECT count(*) AS n FROM events WHERE type IN ('outbox.retry', 'outbox.failed')").get() as { n: number };
      this.reset();
      this.inc(row.n);
    },
  });
  new Gauge({
    name: 'tidings_source_lag_seconds',
    help: 'Age of the oldest message seen at the source but not yet processed (0 when idle)',
    registers,
    collect() {
      this.set((from.source()?.status().lagMs ?? 0) / 1000);
    },
  });
  new Counter({
    name: 'tidings_imap_reconnects_total',
    help: 'IMAP reconnects since the daemon started',
    registers,
    collect() {
      const s = from.source();
      this.reset();
      this.inc(s ? s.status().reconnects : 0);
    },
  });
  const escalationScanSeconds = new Histogram({
    name: 'tidings_escalation_scan_seconds',
    help: 'Duration of one escalation scan',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  return { registry, ingested, quarantined, noticesSent, escalationScanSeconds };
}
