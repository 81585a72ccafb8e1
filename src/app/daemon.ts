import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { hmacKey, requireSecret } from '../config/secrets.js';
import { createIngest } from '../ingest/ingest-message.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import { componentLogger } from '../log/logger.js';
import { createMailTransport } from '../outbox/create-transport.js';
import { createOutboxLoop, type OutboxLoop } from '../outbox/outbox-loop.js';
import type { MailTransport } from '../outbox/transport.js';
import { createImapSource } from '../sources/imap-source.js';
import { createMaildirSource } from '../sources/maildir-source.js';
import type { MailSource, MessageHandler } from '../sources/mail-source.js';
import type { Repositories } from '../store/repositories.js';
import { buildLevelSelector } from './level-selector.js';
import { openStore } from './open-store.js';
import { buildServiceLevels } from './service-levels.js';

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** How often the outbox looks for due mail besides being woken after each commit. */
  outboxIntervalMs?: number;
}

export interface Daemon {
  repos: Repositories;
  source: MailSource | undefined;
  outbox: OutboxLoop;
  ingest: MessageHandler;
  /** Stops taking mail, finishes the message and the send in flight, closes everything. */
  stop(): Promise<void>;
}

/** Shared by `run`, `ingest` and `reprocess`: everything the pipeline needs over one store. */
export function buildIngestDeps(config: Config, repos: Repositories, logger: Logger, env: NodeJS.ProcessEnv, now: () => number): IngestDeps {
  const dataDir = config.store.path === ':memory:' ? path.join(config.dir, 'data') : path.dirname(config.store.path);
  const key = hmacKey({ env: config.security.hmac_key_env, file: config.security.hmac_key_file }, dataDir, env);
  return {
    config,
    levels: buildServiceLevels(config),
    selector: buildLevelSelector(config),
    repos,
    logger: componentLogger(logger, 'ingest'),
    now,
    hmacKeys: [key],
    randomBytes: (n) => randomBytes(n),
  };
}

/** The composition root: the one place where adapters are chosen and wired. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => Date.now());
  const log = componentLogger(logger, 'daemon');
  const repos = openStore(config);
  let transport: MailTransport | undefined;
  try {
    const outboxLog = componentLogger(logger, 'outbox');
    transport = createMailTransport({ config: config.transport, logger: outboxLog, now, env });
    const released = repos.outbox.releaseLeases(now());
    if (released) log.warn({ event: 'outbox.leases_released', count: released }, 'mail claimed before an unclean stop is due again');
    const outbox = createOutboxLoop({ repos, transport, logger: outboxLog, now, envelopeFrom: config.mailbox.address });
    const deps = buildIngestDeps(config, repos, logger, env, now);
    deps.onOutboxEnqueued = () => outbox.wake();
    const ingest = createIngest(deps);
    const source = createSource(config, { repos, ingest, logger, env, now });
    outbox.start(options.outboxIntervalMs ?? 1000);
    if (source) await source.start();
    log.info({ event: 'daemon.started', source: config.source.kind, transport: config.transport.kind }, 'tidings started');
    const t = transport;
    let stopping: Promise<void> | undefined;
    return {
      repos,
      source,
      outbox,
      ingest,
      stop() {
        stopping ??= (async () => {
          log.info({ event: 'daemon.stopping' }, 'stopping');
          if (source) await source.stop();
          await outbox.stop();
          await t.close();
          repos.db.close();
          log.info({ event: 'daemon.stopped' }, 'stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await transport?.close().catch(() => undefined);
    repos.db.close();
    throw err;
  }
}

function createSource(
  config: Config,
  d: { repos: Repositories; ingest: MessageHandler; logger: Logger; env: NodeJS.ProcessEnv; now: () => number },
): MailSource | undefined {
  const src = config.source;
  if (src.kind === 'maildir') {
    return createMaildirSource({ path: src.path, handler: d.ingest, logger: componentLogger(d.logger, 'maildir'), now: d.now, pollSeconds: src.poll_seconds });
  }
  if (src.kind === 'imap') {
    const password = requireSecret({ env: src.password_env, file: src.password_file }, 'the IMAP password', d.env);
    return createImapSource({ config: src, password, cursors: d.repos.cursors, handler: d.ingest, logger: componentLogger(d.logger, 'imap'), now: d.now });
  }
  // stdin: mail arrives through `tidings ingest` from the MTA; the daemon only sends.
  return undefined;
}
