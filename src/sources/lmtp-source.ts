/**
 * The LMTP source (RFC 2033): the MTA hands mail straight to the daemon and keeps it queued until
 * the daemon says it is stored. A recipient's `250` after DATA is sent only once the transaction
 * holding the message committed; a temporary failure (database busy, full, read-only, the daemon
 * stopping) is answered `451` and the MTA retries later, so a crash or kill -9 at any point either
 * leaves the message with the MTA or has it committed. A retry of a message that was committed but
 * not answered is a duplicate by its Message-ID or digest key (there is no source position: the
 * message is all LMTP knows), so it is stored once.
 *
 * The protocol engine is nodemailer's smtp-server in LMTP mode: LHLO, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT, PIPELINING, SIZE, 8BITMIME and ENHANCEDSTATUSCODES, one reply per accepted recipient.
 * Only the desk's mailbox address and its aliases are accepted as recipients (`550 5.1.1` for any
 * other); the message is stored once whatever the number of recipients, and each gets the same
 * answer. Size is known before the message is kept: a SIZE= on MAIL FROM over the limit is
 * refused at once, and a DATA stream that grows past it is read to its end without being kept and
 * answered `552 5.3.4`.
 *
 * Connections are independent; messages arriving on several of them within a few milliseconds
 * share one transaction (see group-commit.ts).
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { maskCredentials } from '../log/logger.js';
import { parseListen } from '../config/listen-address.js';
import { createGroupCommit } from './group-commit.js';
import type { BatchHandler, MailSource, MessageHandler, SourceState, SourceStatus } from './mail-source.js';

export interface LmtpSourceDeps {
  /** `host:port` (port 0: any free port, for tests) or `unix:/absolute/path`. */
  listen: string;
  /** Mode of a unix socket, e.g. 0o660. */
  socketMode?: number;
  handler: MessageHandler;
  /** Group commit; without it every message is stored by `handler` in its own transaction. */
  batchHandler?: BatchHandler;
  /** Messages per transaction at most (default 250). */
  batchSize?: number;
  /** Upper bound for the bytes of one batch (default 16 MiB; one message always fits). */
  maxBatchBytes?: number;
  /** How long the first waiting message waits for others to share its transaction (default 5 ms). */
  batchWindowMs?: number;
  /** Connections served at once (default 20). */
  maxConnections?: number;
  /** The message size limit in force (read at every connection, so a reload applies). */
  maxBytes: () => number;
  /** Whether an envelope recipient is ours: the mailbox address or an alias. */
  isOurs: (address: string) => boolean;
  logger: Logger;
  now: () => number;
  /** Name in the greeting and the LHLO reply. */
  hostname?: string;
}

export interface LmtpSource extends MailSource {
  /** Where it listens once started: host and the real port (for a `:0` listen), or the socket path. */
  address(): { host: string; port: number } | { path: string } | undefined;
}

/** `lmtp:<listen>`: SourcePosition.source of this source. */
function lmtpSourceName(listen: string): string {
  return `lmtp:${listen}`;
}

/** An error smtp-server answers with `code` (and its enhanced status code) for every recipient. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A socket file left by a daemon that died: nobody accepts on it. A live one is never removed. */
async function isStaleSocket(file: string): Promise<boolean> {
  try {
    if (!lstatSync(file).isSocket()) return false;
  } catch {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    const s = net.connect({ path: file });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

export function createLmtpSource(deps: LmtpSourceDeps): LmtpSource {
  const log = deps.logger;
  const source = lmtpSourceName(deps.listen);
  const target = parseListen(deps.listen);
  const status: { state: SourceState; lastError?: string; reconnects: number } = { state: 'stopped', reconnects: 0 };
  let stopping = false;
  let server: SMTPServer | undefined;
  let bound: ReturnType<LmtpSource['address']>;
  /** Messages being read or stored, for stop() to wait on. */
  const deliveries = new Set<Promise<void>>();

  const group = createGroupCommit(
    {
      handler: deps.handler,
      ...(deps.batchHandler ? { batchHandler: deps.batchHandler } : {}),
      batchSize: Math.max(1, deps.batchSize ?? 250),
      maxBatchBytes: deps.maxBatchBytes ?? 16 * 1024 * 1024,
      windowMs: deps.batchWindowMs ?? 5,
      onBatchFailed: (err, count) => {
        status.lastError = maskCredentials(String((err as Error)?.message ?? err));
        log.warn({ event: 'lmtp.batch.failed', count, err }, 'batch not stored; storing its messages one at a time');
      },
    },
    deps.now,
  );

  /** Reads DATA to its end; keeps the bytes only while they stay within the limit. */
  const onData = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void => {
    const limit = deps.maxBytes();
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    let finished!: () => void;
    const delivery = new Promise<void>((resolve) => (finished = resolve));
    deliveries.add(delivery);
    let settled = false;
    const done = (err: Error | null, message?: string): void => {
      if (settled) return;
      settled = true;
      deliveries.delete(delivery);
      finished();
      callback(err, message);
    };
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (over) return;
      if (bytes > limit) {
        // drained to the end for the protocol's sake, never kept
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    // the client went away mid-message: nothing was kept, nothing to answer
    stream.once('error', () => done(reply(451, 'Error reading the message; try again later')));
    stream.once('end', () => {
      const recipients = session.envelope.rcptTo.length;
      if (over || stream.sizeExceeded) {
        // smtp-server answers 552 5.3.4 per recipient itself (rejectOversized)
        log.warn({ event: 'lmtp.message.oversized', bytes, limit, recipients }, 'message over the size limit refused');
        done(reply(552, `Message exceeds fixed maximum message size ${limit}`));
        return;
      }
      if (stopping) {
        done(reply(451, 'Shutting down; try again later'));
        return;
      }
      const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      // The final delivery records the envelope sender (RFC 5321 4.4), as Dovecot and Postfix's
      // local do: a bounce is known by its null Return-Path.
      const raw = Buffer.concat([Buffer.from(`Return-Path: <${from}>\r\n`, 'utf8'), ...chunks]);
      chunks.length = 0;
      group.submit({ raw, position: { source, key: '', receivedAt: deps.now() } }).then(
        (out) => {
          log.debug({ event: 'lmtp.message.stored', status: out.status, ticketId: out.ticketId, bytes: raw.length, recipients }, 'message committed');
          done(null, `Message ${out.status}`);
        },
        (err: unknown) => {
          status.lastError = maskCredentials(String((err as Error)?.message ?? err));
          log.warn({ event: 'lmtp.message.failed', bytes: raw.length, err }, 'message not stored; answered 451 so the MTA retries');
          done(reply(451, 'Message not stored; try again later'));
        },
      );
    });
  };

  const create = (): SMTPServer =>
    new SMTPServer({
      lmtp: true,
      name: deps.hostname ?? 'tidings',
      banner: 'tidings',
      size: deps.maxBytes(),
      // A message over the size is answered 552 whatever onData said.
      rejectOversized: true,
      maxClients: deps.maxConnections ?? 20,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      hideDSN: true,
      hideREQUIRETLS: true,
      // off by default in smtp-server; RFC 2034 codes tell the MTA a bad mailbox (5.1.1) from a full store (4.3.0)
      hideENHANCEDSTATUSCODES: false,
      logger: false,
      // a delivery agent keeps a connection open between messages; a stop waits this long for it
      closeTimeout: 1000,
      onConnect(_session, cb) {
        // the limit in force for this connection's SIZE advertisement and DATA, after a reload too
        if (server) server.options.size = deps.maxBytes();
        cb();
      },
      onRcptTo(address: SMTPServerAddress, _session, cb) {
        if (deps.isOurs(address.address.toLowerCase())) return cb();
        log.info({ event: 'lmtp.rcpt.refused', rcpt: address.address }, 'recipient is not an address of this desk');
        cb(reply(550, `<${address.address}>: not a mailbox of this desk`));
      },
      onData,
    });

  const listen = async (srv: SMTPServer): Promise<void> => {
    const attempt = (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        srv.server.once('error', onError);
        const ready = (): void => {
          srv.server.off('error', onError);
          resolve();
        };
        if ('path' in target) srv.listen(target.path, ready);
        else srv.listen(target.port, target.host, ready);
      });
    try {
      await attempt();
    } catch (err) {
      if (!('path' in target) || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !(await isStaleSocket(target.path))) throw err;
      unlinkSync(target.path);
      await attempt();
    }
    if ('path' in target) {
      chmodSync(target.path, deps.socketMode ?? 0o660);
      bound = { path: target.path };
    } else {
      const a = srv.server.address() as net.AddressInfo;
      bound = { host: a.address, port: a.port };
    }
  };

  return {
    async start() {
      if (server) return;
      stopping = false;
      status.state = 'starting';
      const srv = create();
      // smtp-server re-emits the listen error too; until bound, start() reports it instead
      let listening = false;
      srv.on('error', (err) => {
        if (listening) log.warn({ event: 'lmtp.connection.failed', err }, 'LMTP connection error');
      });
      try {
        await listen(srv);
      } catch (err) {
        status.state = 'stopped';
        throw err;
      }
      listening = true;
      server = srv;
      status.state = 'connected';
      log.info({ event: 'lmtp.started', listen: bound && 'port' in bound ? `${bound.host}:${bound.port}` : deps.listen }, 'listening for LMTP');
    },
    async stop() {
      const srv = server;
      if (!srv) return;
      stopping = true;
      // no new connections; connections between messages get 421 after closeTimeout
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      // messages already read are committed and answered; one still arriving is answered 451
      await group.drain();
      await Promise.all([...deliveries]);
      await closed;
      server = undefined;
      bound = undefined;
      if ('path' in target) {
        try {
          unlinkSync(target.path);
        } catch {
          // gone already
        }
      }
      status.state = 'stopped';
      log.info({ event: 'lmtp.stopped' }, 'LMTP source stopped');
    },
    status(): SourceStatus {
      const { oldestAt } = group.pending();
      const s: SourceStatus = { state: status.state, reconnects: status.reconnects, lagMs: oldestAt === undefined ? 0 : Math.max(0, deps.now() - oldestAt) };
      if (status.lastError !== undefined) s.lastError = status.lastError;
      return s;
    },
    address: () => bound,
  };
}
