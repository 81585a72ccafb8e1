import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { RawConfig } from '../config/schema.js';
import { maskCredentials } from '../log/logger.js';
import type { SourceCursorRepository } from '../store/source-cursor-repository.js';
import type { MailSource, MessageHandler, SourceStatus } from './mail-source.js';
import { withWatchdog } from './watchdog.js';

export type ImapSourceConfig = Extract<RawConfig['source'], { kind: 'imap' }>;

export interface ImapSourceDeps {
  config: ImapSourceConfig;
  password: string;
  cursors: SourceCursorRepository;
  handler: MessageHandler;
  logger: Logger;
  now: () => number;
  /** Reconnect backoff bounds; tests shorten them. */
  backoff?: { minMs: number; maxMs: number };
  /** Builds the client; tests may wrap it. */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
}

/** Keyword set on processed mail where the server has no MOVE: we never delete a client's mail. */
export const PROCESSED_KEYWORD = '$TidingsProcessed';

interface FetchedMessage {
  uid: number;
  source: Buffer;
  internalDate: number | undefined;
}

/**
 * Reads one IMAP folder by UID with a stored cursor (UIDVALIDITY + last UID), so nothing depends on
 * \Seen or on sequence numbers, and moves each message to the processed folder only after the
 * pipeline committed it. New mail is noticed through IDLE (imapflow's auto-IDLE and its EXISTS
 * events) with a periodic poll as a fallback for servers that drop IDLE silently.
 */
export function createImapSource(deps: ImapSourceDeps): MailSource {
  const { config, logger: log } = deps;
  const source = `imap:${config.user}@${config.host}:${config.port}/${config.folder}`;
  const minBackoff = deps.backoff?.minMs ?? 1000;
  const maxBackoff = deps.backoff?.maxMs ?? 60_000;
  const state: SourceStatus = { state: 'stopped', reconnects: 0, lagMs: 0 };
  let stopping = false;
  let client: ImapFlow | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let firstScan: { resolve: () => void; done: boolean } | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        if (wake === done) wake = undefined;
        resolve();
      }
      wake = done;
    });

  const newClient = (): ImapFlow => {
    const options: ImapFlowOptions = {
      host: config.host,
      port: config.port,
      secure: config.secure,
      auth: { user: config.user, pass: deps.password },
      logger: false,
      // An empty IMAP session is idle by design; the watchdog, not the socket timeout, guards fetches.
      socketTimeout: 5 * 60_000,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      // We IDLE ourselves between scans; imapflow's auto-IDLE would only start after its own delay.
      disableAutoIdle: true,
      maxIdleTime: config.poll_seconds * 1000,
    };
    return deps.createClient ? deps.createClient(options) : new ImapFlow(options);
  };

  const ensureFolder = async (c: ImapFlow, folder: string): Promise<void> => {
    const list = await c.list();
    if (list.some((m) => m.path === folder)) return;
    try {
      await c.mailboxCreate(folder);
      log.info({ event: 'imap.folder_created', folder }, 'created the processed folder');
    } catch (err) {
      // Another client may have created it between LIST and CREATE.
      const again = await c.list();
      if (!again.some((m) => m.path === folder)) throw err;
    }
  };

  /** Handles every message above the cursor, in UID order, one batch at a time. */
  const drain = async (c: ImapFlow, uidValidity: number): Promise<void> => {
    for (;;) {
      if (stopping) return;
      const cursor = deps.cursors.getCursor(source);
      const lastUid = cursor?.lastUid ?? 0;
      // `N:*` always matches the highest message even below N (RFC 3501 6.4.8), hence the filter.
      const found = await withWatchdog(c.search({ uid: `${lastUid + 1}:*` }, { uid: true }), config.fetch_timeout_seconds * 1000, () => c.close(), 'UID SEARCH');
      const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
      if (uids.length === 0) {
        state.lagMs = 0;
        return;
      }
      const batch = uids.slice(0, config.batch_size);
      const fetched: FetchedMessage[] = [];
      // imapflow cannot run another command while a FETCH iterates: collect the batch first.
      await withWatchdog(
        (async () => {
          for await (const m of c.fetch(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
            if (!m.source) continue;
            const d = m.internalDate instanceof Date ? m.internalDate.getTime() : typeof m.internalDate === 'string' ? Date.parse(m.internalDate) : undefined;
            fetched.push({ uid: m.uid, source: m.source, internalDate: d !== undefined && Number.isFinite(d) ? d : undefined });
          }
        })(),
        config.fetch_timeout_seconds * 1000,
        () => c.close(),
        'UID FETCH',
      );
      fetched.sort((a, b) => a.uid - b.uid);
      const oldest = Math.min(...fetched.map((m) => m.internalDate ?? deps.now()));
      state.lagMs = Math.max(0, deps.now() - oldest);

      const done: number[] = [];
      let failure: unknown;
      for (const m of fetched) {
        if (stopping) break;
        try {
          const position = { source, key: `uidvalidity:${uidValidity}:uid:${m.uid}`, ...(m.internalDate !== undefined ? { receivedAt: m.internalDate } : {}) };
          await deps.handler(m.source, position);
          done.push(m.uid);
        } catch (err) {
          failure = err;
          break;
        }
      }
      // A UID that vanished between SEARCH and FETCH (expunged by another client) is skipped.
      const highestSkippable = failure === undefined && !stopping ? batch[batch.length - 1]! : Math.max(lastUid, ...done);
      if (done.length) {
        // The cursor moves per batch, not per message: the pipeline's dedupe keys already make a
        // re-read after a crash harmless, and one write per batch keeps commits for the messages.
        deps.cursors.setCursor(source, { uidvalidity: uidValidity, lastUid: highestSkippable }, deps.now());
        await acknowledge(c, done);
      } else if (failure === undefined && !stopping) {
        deps.cursors.setCursor(source, { uidvalidity: uidValidity, lastUid: highestSkippable }, deps.now());
      }
      if (failure !== undefined) throw failure;
    }
  };

  const acknowledge = async (c: ImapFlow, uids: number[]): Promise<void> => {
    const range = uids.join(',');
    if (c.capabilities.has('MOVE')) await c.messageMove(range, config.processed_folder, { uid: true });
    else await c.messageFlagsAdd(range, [PROCESSED_KEYWORD], { uid: true });
  };

  const session = async (): Promise<void> => {
    const c = newClient();
    client = c;
    let closed = false;
    c.on('error', (err: Error) => {
      state.lastError = maskCredentials(err.message);
      log.warn({ event: 'imap.error', err }, 'imap connection error');
    });
    c.on('close', () => {
      closed = true;
      wake?.();
    });
    c.on('exists', () => wake?.());
    await c.connect();
    await ensureFolder(c, config.processed_folder);
    const mailbox = await c.mailboxOpen(config.folder);
    const uidValidity = Number(mailbox.uidValidity);
    const cursor = deps.cursors.getCursor(source);
    if (cursor && cursor.uidvalidity !== null && cursor.uidvalidity !== uidValidity) {
      // The server renumbered the folder: read it all again; dedupe keys (Message-ID + body) make
      // the messages we already have a no-op.
      log.warn({ event: 'imap.uidvalidity_changed', was: cursor.uidvalidity, now: uidValidity }, 'UIDVALIDITY changed; rescanning the folder');
      deps.cursors.setCursor(source, { uidvalidity: uidValidity, lastUid: 0 }, deps.now());
    } else if (!cursor || cursor.uidvalidity === null) {
      deps.cursors.setCursor(source, { uidvalidity: uidValidity, lastUid: cursor?.lastUid ?? 0 }, deps.now());
    }
    state.state = 'connected';
    state.lastError = undefined;
    log.info({ event: 'imap.connected', folder: config.folder, uidValidity }, 'imap connected');
    while (!stopping && !closed) {
      await drain(c, uidValidity);
      if (firstScan && !firstScan.done) {
        firstScan.done = true;
        firstScan.resolve();
      }
      if (stopping || closed) break;
      // IDLE until the server reports new mail (EXISTS wakes us) or the poll interval passes; the
      // next command (the UID SEARCH of the scan) ends the IDLE.
      const idling = c.idle().catch(() => undefined);
      await sleep(config.poll_seconds * 1000);
      void idling;
    }
    if (closed && !stopping) throw new Error('imap connection closed');
  };

  const run = async (): Promise<void> => {
    let backoff = minBackoff;
    while (!stopping) {
      try {
        await session();
      } catch (err) {
        if (stopping) break;
        state.state = 'reconnecting';
        state.reconnects += 1;
        state.lastError = maskCredentials((err as Error).message);
        log.warn({ event: 'imap.reconnect', err, inMs: backoff, reconnects: state.reconnects }, 'imap session ended; reconnecting');
      } finally {
        const c = client;
        client = undefined;
        if (c) await closeClient(c);
      }
      if (stopping) break;
      await sleep(backoff);
      backoff = Math.min(maxBackoff, backoff * 2);
    }
  };

  const closeClient = async (c: ImapFlow): Promise<void> => {
    try {
      if (c.usable) await withWatchdog(c.logout(), 5000, () => c.close(), 'LOGOUT');
      else c.close();
    } catch {
      c.close();
    }
  };

  return {
    async start() {
      stopping = false;
      state.state = 'starting';
      const first = new Promise<void>((resolve) => {
        firstScan = { resolve, done: false };
      });
      loop = run();
      // Resolve once the first scan finished or the first attempt failed; the loop keeps retrying.
      await Promise.race([first, new Promise((r) => setTimeout(r, 10_000))]);
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      state.state = 'stopped';
      log.info({ event: 'imap.stopped' }, 'imap source stopped');
    },
    status: () => ({ ...state }),
  };
}
