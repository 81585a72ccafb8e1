import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { requireSecret } from '../config/secrets.js';
import { createEscalationLoop, type EscalationLoop } from '../escalation/escalation-loop.js';
import { commitBatch, ingestMessage, prepareBatch } from '../ingest/ingest-message.js';
import { quarantineOversized } from '../ingest/quarantine-oversized.js';
import { createMailThread } from '../mail/mail-thread.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import { ownAddresses } from '../ingest/participants-of.js';
import { componentLogger } from '../log/logger.js';
import { createMailTransport } from '../outbox/create-transport.js';
import { createOutboxLoop, type OutboxLoop } from '../outbox/outbox-loop.js';
import type { MailTransport } from '../outbox/transport.js';
import { createMaildirSource } from '../sources/maildir-source.js';
import type { BatchHandler, MailSource, MessageHandler, OversizedPolicy } from '../sources/mail-source.js';
import type { Repositories } from '../store/repositories.js';
import { checkHealth, startHttpServer, type Health, type HttpEndpoint } from './http-server.js';
import { httpListenError, lmtpListenError } from './listen-error.js';
import { createMetrics, type DaemonMetrics } from './metrics.js';
import { buildIngestDeps } from './build-ingest-deps.js';
import { openStore } from './open-store.js';

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** How often the outbox looks for due mail besides being woken after each commit. */
  outboxIntervalMs?: number;
  /**
   * Serve /healthz and /metrics on config.http.listen (when config.http.enabled). `tidings run`
   * sets it; embedded daemons (tests, tools) default to no listener so they never fight over a port.
   */
  serveHttp?: boolean;
  /** Parse and render mail in a worker thread (default true; inline when running from the TypeScript sources). */
  mailThread?: boolean;
}

export interface Daemon {
  repos: Repositories;
  source: MailSource | undefined;
  outbox: OutboxLoop;
  ingest: MessageHandler;
  /** The escalation loop (node-cron tick plus the catch-up scan at start). */
  escalation: EscalationLoop;
  metrics: DaemonMetrics;
  health(): Health;
  /** The HTTP endpoint when served (its address carries the real port for a `:0` listen). */
  http: HttpEndpoint | undefined;
  /** The ingest dependencies in force; a config reload swaps them, the next message reads the new ones. */
  readonly deps: IngestDeps;
  /** Applies a reloaded config to new decisions (levels, selection, licences, calendars, staff). */
  setConfig(config: Config): void;
  /** Stops taking mail, finishes the message and the send in flight, closes everything. */
  stop(): Promise<void>;
}

/** The composition root: the one place where adapters are chosen and wired. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => Date.now());
  const log = componentLogger(logger, 'daemon');
  const repos = openStore(config);
  let transport: MailTransport | undefined;
  let http: HttpEndpoint | undefined;
  /** Started before the source, so a source that cannot start (LMTP address in use) must stop it. */
  let startedOutbox: OutboxLoop | undefined;
  const mailThread = createMailThread({ logger: componentLogger(logger, 'mail-thread'), blobs: repos.blobs, thread: options.mailThread ?? true });
  try {
    const outboxLog = componentLogger(logger, 'outbox');
    transport = await createMailTransport({ config: config.transport, logger: outboxLog, now, env });
    const released = repos.outbox.releaseLeases(now());
    if (released) log.warn({ event: 'outbox.leases_released', count: released }, 'mail claimed before an unclean stop is due again');
    let source: MailSource | undefined;
    const outbox = createOutboxLoop({
      repos,
      transport,
      logger: outboxLog,
      now,
      envelopeFrom: config.mailbox.address,
      render: mailThread.render,
      // A backlog in the source is stored first; its acknowledgements follow right after.
      yieldTo: () => (source?.status().lagMs ?? 0) > 0,
    });
    const metrics = createMetrics({ repos, source: () => source });
    const wire = (d: IngestDeps): IngestDeps => {
      d.parse = mailThread.parse;
      d.onOutboxEnqueued = () => outbox.wake();
      d.onIngested = (r) => {
        if (r.status === 'duplicate') return;
        metrics.ingested.inc({ class: r.class });
        if (r.status === 'quarantined') metrics.quarantined.inc();
      };
      return d;
    };
    // The holder a reload swaps: each message reads the deps in force when it starts.
    let deps = wire(buildIngestDeps(config, repos, logger, env, now));
    const ingest: MessageHandler = (raw, position) => ingestMessage(deps, raw, position);
    const ingestMany: BatchHandler = { prepare: (messages) => prepareBatch(deps, messages), commit: commitBatch };
    const oversized: OversizedPolicy = { maxBytes: () => deps.config.limits.max_message_bytes, quarantine: (m) => quarantineOversized(deps, m) };
    const isOurs = (address: string): boolean => ownAddresses(deps.config).has(address);
    source = await createSource(config, { repos, ingest, ingestMany, oversized, isOurs, logger, env, now });
    const health = (): Health => checkHealth({ repos, dbPath: config.store.path, source: () => source, now });
    if (options.serveHttp && config.http.enabled) {
      http = await startHttpServer({ listen: config.http.listen, health, metrics, logger: componentLogger(logger, 'http') }).catch((err: unknown) => {
        throw httpListenError(err, config.http.listen, config.file);
      });
    }
    outbox.start(options.outboxIntervalMs ?? 1000);
    startedOutbox = outbox;
    if (source) await source.start();
    // Escalation notices: one catch-up scan now (notices due while the daemon was down), then every tick.
    const escalation = createEscalationLoop({ deps: () => deps, now, logger: componentLogger(logger, 'escalation'), tickSeconds: config.escalation.tick_seconds,
      onScan: (r, seconds) => {
        metrics.escalationScanSeconds.observe(seconds);
        for (const [threshold, n] of Object.entries(r.sentByThreshold)) metrics.noticesSent.inc({ threshold }, n);
      },
    });
    escalation.start();
    log.info({ event: 'daemon.started', source: config.source.kind, transport: config.transport.kind, mailThread: mailThread.mode }, 'tidings started');
    const t = transport;
    const h = http;
    let stopping: Promise<void> | undefined;
    return {
      repos,
      source,
      outbox,
      ingest,
      escalation,
      metrics,
      health,
      http,
      get deps() {
        return deps;
      },
      setConfig(next: Config) {
        deps = wire(buildIngestDeps(next, repos, logger, env, now));
      },
      stop() {
        stopping ??= (async () => {
          log.info({ event: 'daemon.stopping' }, 'stopping');
          if (source) await source.stop();
          escalation.stop();
          await outbox.stop();
          await mailThread.close();
          await h?.close();
          await t.close();
          repos.db.close();
          log.info({ event: 'daemon.stopped' }, 'stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await startedOutbox?.stop().catch(() => undefined);
    await http?.close().catch(() => undefined);
    await transport?.close().catch(() => undefined);
    await mailThread.close();
    repos.db.close();
    throw err;
  }
}

async function createSource(
  config: Config,
  d: { repos: Repositories; ingest: MessageHandler; ingestMany: BatchHandler; oversized: OversizedPolicy; isOurs: (address: string) => boolean; logger: Logger; env: NodeJS.ProcessEnv; now: () => number },
): Promise<MailSource | undefined> {
  const src = config.source;
  if (src.kind === 'maildir') {
    return createMaildirSource({
      path: src.path,
      handler: d.ingest,
      batchHandler: d.ingestMany,
      oversized: d.oversized,
      batchSize: src.batch_size,
      logger: componentLogger(d.logger, 'maildir'),
      now: d.now,
      pollSeconds: src.poll_seconds,
    });
  }
  if (src.kind === 'imap') {
    const password = requireSecret({ env: src.password_env, file: src.password_file }, 'the IMAP password', d.env);
    // imapflow costs a noticeable part of a second to load; a Maildir or stdin desk never needs it
    const { createImapSource } = await import('../sources/imap-source.js');
    return createImapSource({ config: src, password, cursors: d.repos.cursors, handler: d.ingest, batchHandler: d.ingestMany, oversized: d.oversized, logger: componentLogger(d.logger, 'imap'), now: d.now });
  }
  if (src.kind === 'lmtp') {
    const { createLmtpSource } = await import('../sources/lmtp-source.js');
    // Over the limit is refused (552) while the MTA still holds the message: nothing to quarantine by reference.
    const lmtp = createLmtpSource({
      listen: src.listen,
      socketMode: Number.parseInt(src.socket_mode, 8),
      handler: d.ingest,
      batchHandler: d.ingestMany,
      batchSize: src.batch_size,
      maxConnections: src.max_connections,
      maxBytes: d.oversized.maxBytes,
      isOurs: d.isOurs,
      logger: componentLogger(d.logger, 'lmtp'),
      now: d.now,
    });
    return {
      ...lmtp,
      start: () =>
        lmtp.start().catch((err: unknown) => {
          throw lmtpListenError(err, src.listen, config.file);
        }),
    };
  }
  // stdin: mail arrives through `tidings ingest` from the MTA; the daemon only sends.
  return undefined;
}
