/**
 * The IMAP source: reads one folder with imapflow and hands every message, in UID order, to the
 * ingest handler; acknowledges it at the server only after the handler returned (= committed).
 *
 * Exactly-once, as far as the source can give it:
 * - Position: a cursor per mailbox (UIDVALIDITY + last handled UID) in `source_cursors`. Nothing
 *   depends on \Seen or on sequence numbers; every command is a UID command.
 * - A message is handed over, then the cursor advances (persisted after each batch, and always
 *   before an error or stop unwinds), then the message is acknowledged: UID MOVE to
 *   `processed_folder`, or, on servers without MOVE (or with `acknowledge: 'flag'`), the keyword
 *   `$TidingsProcessed` is set and the message stays where it is. Nothing is ever deleted, and
 *   there is no COPY + \Deleted + EXPUNGE fallback.
 * - A crash after the handler committed but before the cursor was written re-reads the message
 *   at the same key (`uidvalidity:<v>:uid:<u>`); the handler's dedupe makes that a no-op. Deduping
 *   is the handler's job, not the source's.
 * - Handled messages whose acknowledgement did not happen (connection lost after the commit) are
 *   found again on the next connection, after its first scan for new mail (UID ≤ cursor, still in
 *   the folder / without the keyword), and acknowledged then, without being handed over again.
 *   (After a server crash in the middle of a MOVE, Dovecot keeps a stale dovecot-uidlist.lock for
 *   a while and commands on that folder wait for it; the watchdog cuts them and ingest resumes as
 *   soon as the server answers again.)
 * - A UIDVALIDITY change (folder recreated, server restored or migrated) resets the cursor to 0
 *   and re-scans the folder. The same mails then arrive with new keys; the pipeline recognises
 *   them by Message-ID + body (or the raw hash) and stores nothing twice.
 *
 * With a batch handler the fetched batch is committed as one, the cursor in the same transaction
 * (group commit: one fsync for up to batch_size messages), before any of it is acknowledged; if
 * that fails, the batch is handed over again one message at a time, with the rules below. Two
 * batches are fetched and prepared (parsed) ahead while one is committed; commits stay in UID
 * order. New mail is found by one UID SEARCH; dates and sizes are fetched a window at a time.
 *
 * A handler error stops the batch at that message: nothing after it is handed over, the cursor
 * stays before it, and the message is retried after a capped exponential backoff (the handler
 * throws only for temporary failures; poison mail is quarantined and counts as handled).
 *
 * A message whose listed RFC822.SIZE is over the message limit is never fetched: it is
 * quarantined by reference (its position, size and where it is kept) and then counts as handled
 * like any other: the cursor passes it and it is moved to processed_folder (or flagged).
 *
 * Liveness: IDLE on the folder, plus a poll every `poll_seconds` (some servers and NATs drop an
 * IDLE session silently), plus a watchdog that closes the socket when a fetch, move or connect
 * takes longer than `fetch_timeout_seconds`. Any connection error ends the session; it is
 * re-established with capped exponential backoff (1 s doubling to 60 s by default).
 *
 * stop(): no new message is taken; the one with the handler finishes and is recorded and
 * acknowledged; then LOGOUT. A command still hanging after STOP_GRACE_MS is cut by closing the
 * socket (never while the handler holds a message).
 */
import { ImapFlow, type FetchMessageObject, type ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { RawConfig } from '../config/schema.js';
import { TidingsError } from '../errors.js';
import { maskCredentials } from '../log/logger.js';
import type { SourceCursorRepository } from '../store/source-cursor-repository.js';
import type { BatchHandler, MailSource, MessageHandler, OversizedPolicy, PreparedBatch, SourceMessage, SourcePosition, SourceState, SourceStatus } from './mail-source.js';
import { FIRST_BATCH, planBatches } from './plan-batches.js';
import { Alarm, DEFAULT_RETRY, REAL_TIMERS, backoffDelay, withDeadline, type RetryPolicy } from './source-timing.js';

type ImapSection = Extract<RawConfig['source'], { kind: 'imap' }>;

/** The `source: { kind: imap }` section of the config (the fields this source reads). */
export type ImapSourceConfig = Pick<
  ImapSection,
  'host' | 'port' | 'secure' | 'user' | 'folder' | 'processed_folder' | 'poll_seconds' | 'fetch_timeout_seconds' | 'batch_size'
>;

/** How long stop() lets a hanging IMAP command run before it closes the connection. */
const STOP_GRACE_MS = 2000;

/**
 * Fetched (and, with a batch handler, parsed) batches kept ahead of the one being committed: two
 * keep the mail thread busy while the main thread commits; each is at most maxBatchBytes.
 */
const LOOKAHEAD_BATCHES = 2;

/** UIDs whose date and size are fetched at a time; the next window is fetched while one is handed over. */
const LISTING_WINDOW = 2000;
/** The first window of a drain is smaller, so the first message is read at once. */
const FIRST_LISTING_WINDOW = 200;

/** Set on a handled message when the server has no MOVE (or acknowledge is 'flag'). */
export const PROCESSED_KEYWORD = '$TidingsProcessed';

export interface ImapSourceDeps {
  config: ImapSourceConfig;
  password: string;
  cursors: SourceCursorRepository;
  handler: MessageHandler;
  /**
   * Stores a whole fetched batch in one transaction (group commit). When it throws, the batch is
   * handed to `handler` one message at a time instead, so a failure stops at the message it concerns.
   */
  batchHandler?: BatchHandler;
  logger: Logger;
  now: () => number;
  /**
   * How handled mail is acknowledged. 'auto' (default): UID MOVE to processed_folder when the
   * server announces MOVE, else the keyword. 'flag': always the keyword, mail stays in the folder.
   */
  acknowledge?: 'auto' | 'flag';
  /** Backoff for reconnects and handler retries; default 1 s doubling to 60 s. */
  retry?: Partial<RetryPolicy>;
  /** UIDs whose date and size are listed at a time (default 2000). */
  listingWindow?: number;
  /** Upper bound for message bytes fetched into memory at once (default 16 MiB; one message always fits). */
  maxBatchBytes?: number;
  /** Extra imapflow options (e.g. `tls`); connection, auth and IDLE settings are the source's own. */
  imapOptions?: Partial<ImapFlowOptions>;
  /** Messages whose RFC822.SIZE is over the limit are never fetched: quarantined by reference and acknowledged (see OversizedPolicy). */
  oversized?: OversizedPolicy;
}

export interface ImapSource extends MailSource {
  /** `imap:<user>@<host>:<port>/<folder>`: SourcePosition.source and the source_cursors key. */
  readonly name: string;
}

/** The source name; also the row in source_cursors. */
export function imapSourceName(config: Pick<ImapSourceConfig, 'user' | 'host' | 'port' | 'folder'>): string {
  return `imap:${config.user}@${config.host}:${config.port}/${config.folder}`;
}

/** `uidvalidity:<v>:uid:<u>`: the position key handed to the handler. */
export function imapPositionKey(uidvalidity: number, uid: number): string {
  return `uidvalidity:${uidvalidity}:uid:${uid}`;
}

/** A compact UID set for a command: [1,2,3,7,9,10] → "1:3,7,9:10". */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i += 1;
  }
  return parts.join(',');
}

interface PendingMessage {
  uid: number;
  /** INTERNALDATE, epoch ms (NaN when the server sent none). */
  internalDate: number;
  size: number;
}

/** oldestFrom[i] = oldest INTERNALDATE among pending[i..]; undefined past the end (for lagMs). */
function oldestFromOf(pending: readonly PendingMessage[]): Array<number | undefined> {
  const oldestFrom: Array<number | undefined> = new Array<number | undefined>(pending.length + 1).fill(undefined);
  for (let i = pending.length - 1; i >= 0; i--) {
    const d = pending[i]!.internalDate;
    const after = oldestFrom[i + 1];
    oldestFrom[i] = Number.isFinite(d) && (after === undefined || d < after) ? d : after;
  }
  return oldestFrom;
}

function epochMs(d: Date | string | undefined): number {
  if (d instanceof Date) return d.getTime();
  if (typeof d === 'string') return Date.parse(d);
  return Number.NaN;
}

interface ErrorSummary {
  type: string;
  message: string;
  code?: string;
  responseText?: string;
}

/** What status and logs may show of an error: no server payloads, no command text, credentials masked. */
function errorSummary(err: unknown): ErrorSummary {
  const e = err as { name?: unknown; message?: unknown; code?: unknown; responseText?: unknown };
  const out: ErrorSummary = {
    type: typeof e?.name === 'string' ? e.name : 'Error',
    message: maskCredentials(typeof e?.message === 'string' ? e.message : String(err)),
  };
  if (typeof e?.code === 'string') out.code = e.code;
  if (typeof e?.responseText === 'string') out.responseText = maskCredentials(e.responseText);
  return out;
}

/**
 * The `err` value for pino: an Error carrying only the summary fields (imapflow errors hold the
 * executed command and the raw server response, which have no place in a log), with the stack.
 */
function loggedError(err: unknown): Error {
  const s = errorSummary(err);
  const e = new Error(s.message);
  e.name = s.type;
  const extra = e as Error & { code?: string; responseText?: string };
  if (s.code !== undefined) extra.code = s.code;
  if (s.responseText !== undefined) extra.responseText = s.responseText;
  const stack = (err as { stack?: unknown })?.stack;
  e.stack = typeof stack === 'string' ? maskCredentials(stack) : `${s.type}: ${s.message}`;
  return e;
}

function errorText(err: unknown): string {
  const s = errorSummary(err);
  return [s.code, s.message, s.responseText].filter(Boolean).join(': ');
}

/** A NO/BAD answer to one command: the session is still fine. */
function isCommandRefusal(err: unknown): boolean {
  const status = (err as { responseStatus?: unknown })?.responseStatus;
  return status === 'NO' || status === 'BAD';
}

/** imapflow is chatty below warn; keep its log at warn or the parent's level, whichever is quieter. */
function libraryLogger(log: Logger): Logger {
  const warn = log.levels.values.warn ?? 40;
  const level = log.levelVal > warn ? log.level : 'warn';
  return log.child({ lib: 'imapflow' }, { level });
}

class SessionLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionLost';
  }
}

type DrainResult = 'caught-up' | 'handler-failed' | 'stopping';

/** See the module comment. */
export function createImapSource(deps: ImapSourceDeps): ImapSource {
  const cfg = deps.config;
  const name = imapSourceName(cfg);
  const log = deps.logger;
  const timers = REAL_TIMERS;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const pollMs = Math.max(100, cfg.poll_seconds * 1000);
  const fetchTimeoutMs = Math.max(100, cfg.fetch_timeout_seconds * 1000);
  const batchSize = Math.max(1, cfg.batch_size);
  const maxBatchBytes = deps.maxBatchBytes ?? 16 * 1024 * 1024;
  const listingWindow = Math.max(1, deps.listingWindow ?? LISTING_WINDOW);
  const acknowledgeMode = deps.acknowledge ?? 'auto';

  const status: { state: SourceState; lastError?: string; reconnects: number } = { state: 'stopped', reconnects: 0 };
  /** INTERNALDATEs of the messages seen but not yet handled, in UID order; for lagMs. */
  let oldestPendingAt: number | undefined;
  /** Until the first window is planned: it starts with a small batch (see planBatches). */
  let firstWindow = true;

  let stopping = false;
  let loop: Promise<void> | undefined;
  let client: ImapFlow | undefined;
  let connecting = false;
  /** Messages with the handler (or batches being prepared): stop() never cuts the connection under them. */
  let handling = 0;
  const alarm = new Alarm(timers);
  let newMail = false;
  let sessionClosed = false;

  /** The cursor of the session's mailbox, in memory; persisted by saveCursor(). */
  let cursor: { uidvalidity: number; lastUid: number } | undefined;
  let savedLastUid = -1;

  const saveCursor = (): void => {
    if (!cursor || cursor.lastUid === savedLastUid) return;
    deps.cursors.setCursor(name, { uidvalidity: cursor.uidvalidity, lastUid: cursor.lastUid }, deps.now());
    savedLastUid = cursor.lastUid;
  };

  const deadline = <T>(c: ImapFlow, work: Promise<T>, what: string): Promise<T> =>
    withDeadline(
      work,
      fetchTimeoutMs,
      () => {
        log.error({ event: 'imap.watchdog.expired', what, timeoutMs: fetchTimeoutMs }, 'IMAP command hung; closing the connection');
        c.close();
      },
      what,
      timers,
    );

  const setError = (err: unknown): void => {
    status.lastError = errorText(err);
  };

  const newClient = (): ImapFlow => {
    const c = new ImapFlow({
      ...deps.imapOptions,
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      auth: { user: cfg.user, pass: deps.password },
      logger: libraryLogger(log),
      // IDLE is started and ended by this source, between its own commands.
      disableAutoIdle: true,
      connectionTimeout: fetchTimeoutMs,
      greetingTimeout: Math.min(fetchTimeoutMs, 16_000),
      // Longer than a poll interval (IDLE is broken by every poll) plus a fetch: the watchdog
      // and the poll notice a dead peer first; this is the last line.
      socketTimeout: pollMs + fetchTimeoutMs + 30_000,
    });
    c.on('error', (err: Error) => {
      log.debug({ event: 'imap.connection.error', err: loggedError(err) }, 'IMAP connection error');
      if (c === client) {
        setError(err);
        sessionClosed = true;
        alarm.wake();
      }
    });
    c.on('close', () => {
      if (c === client) {
        sessionClosed = true;
        alarm.wake();
      }
    });
    c.on('exists', (e) => {
      if (c === client && e.count > e.prevCount) {
        newMail = true;
        alarm.wake();
      }
    });
    return c;
  };

  const useMove = (c: ImapFlow): boolean => acknowledgeMode === 'auto' && c.capabilities.has('MOVE');

  /** Creates processed_folder when it does not exist (ALREADYEXISTS counts as success). */
  const ensureProcessedFolder = async (c: ImapFlow): Promise<void> => {
    try {
      const res = await deadline(c, c.mailboxCreate(cfg.processed_folder), 'create folder');
      if (res.created) log.info({ event: 'imap.folder.created', folder: cfg.processed_folder }, 'created the processed folder');
    } catch (err) {
      if (!isCommandRefusal(err)) throw err;
      // Servers without ALREADYEXISTS answer a plain NO; the folder is fine when STATUS sees it.
      const st = await deadline(c, c.status(cfg.processed_folder, { messages: true }), 'status folder');
      if (!st) throw new TidingsError('E_SOURCE_UNAVAILABLE', `cannot create the processed folder ${cfg.processed_folder}`, { cause: err });
    }
  };

  /**
   * Acknowledges handled messages: MOVE, or the keyword. A refused command is logged and left to
   * the sweep of the next connect; a lost connection or a hung command ends the session.
   */
  const acknowledge = async (c: ImapFlow, uids: number[]): Promise<void> => {
    if (uids.length === 0) return;
    const set = uidSet(uids);
    const move = useMove(c);
    let done: unknown;
    try {
      done = move
        ? await deadline(c, c.messageMove(set, cfg.processed_folder, { uid: true }), 'move')
        : await deadline(c, c.messageFlagsAdd(set, [PROCESSED_KEYWORD], { uid: true, silent: true }), 'store keyword');
    } catch (err) {
      if (!isCommandRefusal(err)) throw err;
      done = false;
    }
    if (done) return;
    // imapflow answers false both for a NO and for a connection that went away
    if (sessionClosed || !c.usable) throw new SessionLost(`connection lost during ${move ? 'MOVE' : 'STORE'}`);
    log.warn({ event: 'imap.ack.failed', count: uids.length, ack: move ? 'move' : 'keyword' }, 'the server refused to acknowledge handled mail; will retry on the next connect');
  };

  /** Handled (UID ≤ cursor) but not yet acknowledged: e.g. the connection died between commit and MOVE. */
  const sweepLeftovers = async (c: ImapFlow): Promise<void> => {
    if (!cursor || cursor.lastUid === 0) return;
    if (c.mailbox && c.mailbox.exists === 0) return;
    const range = `1:${cursor.lastUid}`;
    const query = useMove(c) ? { uid: range } : { uid: range, unKeyword: PROCESSED_KEYWORD };
    const found = await deadline(c, c.search(query, { uid: true }), 'search handled');
    const uids = Array.isArray(found) ? found.filter((u) => u <= cursor!.lastUid) : [];
    if (uids.length === 0) return;
    log.info({ event: 'imap.ack.swept', count: uids.length }, 'acknowledging mail handled before the last disconnect');
    await acknowledge(c, uids);
  };

  /** Opens the folder and loads (or resets) the cursor for its UIDVALIDITY. */
  const openFolder = async (c: ImapFlow): Promise<void> => {
    const box = await deadline(c, c.mailboxOpen(cfg.folder), 'select');
    const uidvalidity = Number(box.uidValidity);
    const stored = deps.cursors.getCursor(name);
    if (stored && stored.uidvalidity !== null && stored.uidvalidity !== uidvalidity) {
      log.warn(
        { event: 'imap.uidvalidity.changed', folder: cfg.folder, previous: stored.uidvalidity, current: uidvalidity, previousLastUid: stored.lastUid },
        'UIDVALIDITY changed; re-scanning the folder (the pipeline dedupes mail it already has)',
      );
      cursor = { uidvalidity, lastUid: 0 };
      savedLastUid = -1;
    } else {
      cursor = { uidvalidity, lastUid: stored?.lastUid ?? 0 };
      savedLastUid = stored && stored.uidvalidity !== null ? stored.lastUid : -1;
    }
    saveCursor();
  };

  /**
   * UIDs above the cursor, in order. UID SEARCH names them all in one line; the per-message FETCH
   * of date and size (listWindow) is asked a window at a time, the next window while the current
   * one is being handed over, so a backlog of 100,000 does not mean 100,000 responses before the
   * first message is read. The lag reported is that of the oldest message in the current window.
   */
  const searchNew = async (c: ImapFlow): Promise<number[]> => {
    if (!cursor) return [];
    // Always ask the server, never the cached EXISTS count: the poll is there for servers whose
    // notifications do not arrive, and the answer carries any EXISTS update with it.
    const from = cursor.lastUid + 1;
    const found = await deadline(c, c.search({ uid: `${from}:*` }, { uid: true }), 'search new');
    if (!Array.isArray(found)) throw new SessionLost('could not list new messages');
    // "n:*" also matches the highest UID when it is below n, hence the filter.
    return found.filter((u) => u >= from).sort((a, b) => a - b);
  };

  /** INTERNALDATE and size of the given UIDs (those still there); UID order. */
  const listWindow = async (c: ImapFlow, uids: readonly number[]): Promise<PendingMessage[]> => {
    const rows = await deadline(c, c.fetchAll(uidSet(uids), { uid: true, internalDate: true, size: true }, { uid: true }), 'fetch list');
    const wanted = new Set(uids);
    return rows
      .filter((m) => wanted.has(m.uid))
      .map((m) => ({ uid: m.uid, internalDate: epochMs(m.internalDate), size: m.size ?? 0 }))
      .sort((a, b) => a.uid - b.uid);
  };

  /** One batch as fetched: the sources by UID, the UIDs expunged since the listing, and those too large to fetch. */
  interface Fetched {
    batch: PendingMessage[];
    byUid: Map<number, FetchMessageObject>;
    gone: Set<number>;
    tooLarge: Set<number>;
  }

  const fetchBatch = async (c: ImapFlow, batch: PendingMessage[]): Promise<Fetched> => {
    const limit = deps.oversized?.maxBytes();
    const tooLarge = new Set(limit === undefined ? [] : batch.filter((m) => m.size > limit).map((m) => m.uid));
    const wanted = batch.filter((m) => !tooLarge.has(m.uid));
    const fetched =
      wanted.length === 0
        ? []
        : await deadline(c, c.fetchAll(uidSet(wanted.map((m) => m.uid)), { uid: true, source: true }, { uid: true }), 'fetch messages');
    const byUid = new Map<number, FetchMessageObject>();
    for (const m of fetched) byUid.set(m.uid, m);
    const missing = wanted.filter((m) => !byUid.get(m.uid)?.source).map((m) => m.uid);
    let gone = new Set<number>();
    if (missing.length > 0) {
      // Expunged by someone else since the listing? Then there is nothing to hand over.
      // Skipping is only safe on a clear answer; anything else retries on a new connection.
      const still = await deadline(c, c.search({ uid: uidSet(missing) }, { uid: true }), 'search missing');
      if (!Array.isArray(still)) throw new SessionLost('could not check for messages missing from a FETCH');
      const present = new Set(still);
      if (missing.some((u) => present.has(u))) throw new SessionLost('the server did not return the source of a message that exists');
      gone = new Set(missing);
    }
    return { batch, byUid, gone, tooLarge };
  };

  /** The handler's position of a listed message; INTERNALDATE as the listing gave it. */
  const positionOf = (meta: PendingMessage): SourcePosition => ({
    source: name,
    key: imapPositionKey(cursor!.uidvalidity, meta.uid),
    ...(Number.isFinite(meta.internalDate) ? { receivedAt: meta.internalDate } : {}),
  });

  /** Quarantines an unfetched message by reference; it is acknowledged with the rest afterwards. */
  const setAside = (c: ImapFlow, meta: PendingMessage): void => {
    const policy = deps.oversized!;
    const v = cursor!.uidvalidity;
    const original = useMove(c)
      ? `IMAP folder "${cfg.processed_folder}" of ${cfg.user}@${cfg.host} (moved there from "${cfg.folder}" UIDVALIDITY ${v} UID ${meta.uid})`
      : `IMAP folder "${cfg.folder}" of ${cfg.user}@${cfg.host}, UIDVALIDITY ${v} UID ${meta.uid}, flagged ${PROCESSED_KEYWORD}`;
    const out = policy.quarantine({ position: positionOf(meta), size: meta.size, original });
    log.warn({ event: 'imap.message.oversized', uid: meta.uid, bytes: meta.size, limit: policy.maxBytes(), status: out.status }, 'message over the size limit not fetched; quarantined by reference');
  };

  const messageOf = (f: Fetched, meta: PendingMessage): SourceMessage => ({ raw: f.byUid.get(meta.uid)!.source!, position: positionOf(meta) });

  /** A fetched batch and, with a batch handler, its prepared (parsed) form or why preparing failed. */
  interface Stage {
    fetched: Fetched;
    prepared?: PreparedBatch;
    prepareError?: unknown;
  }

  const startStage = async (c: ImapFlow, batch: PendingMessage[]): Promise<Stage> => {
    const fetched = await fetchBatch(c, batch);
    const bh = deps.batchHandler;
    if (!bh) return { fetched };
    handling += 1;
    try {
      const loaded = batch.filter((m) => !fetched.gone.has(m.uid) && !fetched.tooLarge.has(m.uid));
      return { fetched, prepared: await bh.prepare(loaded.map((m) => messageOf(fetched, m))) };
    } catch (prepareError) {
      return { fetched, prepareError };
    } finally {
      handling -= 1;
    }
  };

  /** Commits a fetched batch (as one, else one message at a time), advances the cursor, acknowledges. */
  const processStage = async (c: ImapFlow, stage: Stage, oldestFrom: ReadonlyArray<number | undefined>, offset: number): Promise<DrainResult> => {
    const cur = cursor!;
    const { batch, gone, tooLarge } = stage.fetched;
    const bh = deps.batchHandler;
    if (bh && !stopping) {
      const present = batch.filter((m) => !gone.has(m.uid));
      const lastUid = batch[batch.length - 1]!.uid;
      let stored = false;
      try {
        if (stage.prepareError !== undefined) throw stage.prepareError;
        // Each in its own transaction before the batch's: a crash in between re-reads them as duplicates.
        for (const m of batch) if (tooLarge.has(m.uid)) setAside(c, m);
        // The cursor moves in the same transaction as the messages: one fsync, and no window in
        // which they are stored but would be read again.
        const moveCursor = (): void => deps.cursors.setCursor(name, { uidvalidity: cur.uidvalidity, lastUid }, deps.now());
        const outcomes = stage.prepared ? bh.commit(stage.prepared, moveCursor) : [];
        if (stage.prepared) savedLastUid = lastUid;
        log.debug({ event: 'imap.batch.stored', messages: outcomes.length, fromUid: batch[0]!.uid, toUid: lastUid }, 'batch handed over');
        stored = true;
      } catch (err) {
        log.warn({ event: 'imap.batch.failed', messages: present.length, err: loggedError(err) }, 'batch not stored together; handing it over one message at a time');
      }
      if (stored) {
        for (const m of batch) if (gone.has(m.uid)) log.info({ event: 'imap.message.vanished', uid: m.uid }, 'message was expunged before it could be read');
        cur.lastUid = lastUid;
        oldestPendingAt = oldestFrom[offset + batch.length];
        saveCursor();
        await acknowledge(c, present.map((m) => m.uid));
        return 'caught-up';
      }
    }
    const handled: number[] = [];
    let result: DrainResult = 'caught-up';
    try {
      for (let i = 0; i < batch.length; i++) {
        if (stopping) {
          result = 'stopping';
          break;
        }
        const meta = batch[i]!;
        const next = oldestFrom[offset + i + 1];
        if (gone.has(meta.uid)) {
          log.info({ event: 'imap.message.vanished', uid: meta.uid }, 'message was expunged before it could be read');
          cur.lastUid = meta.uid;
          oldestPendingAt = next;
          continue;
        }
        handling += 1;
        try {
          if (tooLarge.has(meta.uid)) {
            setAside(c, meta);
          } else {
            const { raw, position } = messageOf(stage.fetched, meta);
            const out = await deps.handler(raw, position);
            log.debug({ event: 'imap.message.stored', uid: meta.uid, status: out.status, ticketId: out.ticketId, bytes: raw.length }, 'message handed over');
          }
        } catch (err) {
          setError(err);
          log.warn({ event: 'imap.message.failed', uid: meta.uid, err: loggedError(err) }, 'message not stored; will retry');
          result = 'handler-failed';
          break;
        } finally {
          handling -= 1;
        }
        cur.lastUid = meta.uid;
        handled.push(meta.uid);
        oldestPendingAt = next;
      }
    } finally {
      saveCursor();
    }
    await acknowledge(c, handled);
    return result;
  };

  /** Hands over everything above the cursor, batch by batch, until a search comes back empty. */
  const drain = async (c: ImapFlow): Promise<DrainResult> => {
    for (;;) {
      if (stopping) return 'stopping';
      newMail = false;
      const uids = await searchNew(c);
      if (uids.length === 0) {
        oldestPendingAt = undefined;
        return 'caught-up';
      }
      // A small first window gets the first batch going at once; later ones are listed ahead.
      const windows: number[][] = [];
      for (let i = 0, size = Math.min(FIRST_LISTING_WINDOW, listingWindow); i < uids.length; i += size, size = listingWindow) windows.push(uids.slice(i, i + size));
      let listing: Promise<PendingMessage[]> = listWindow(c, windows[0]!);
      for (let w = 0; w < windows.length; w++) {
        const pending = await listing;
        let nextListing: Promise<PendingMessage[]> | undefined;
        const listNext = (): void => {
          if (nextListing || w + 1 >= windows.length || stopping) return;
          nextListing = listWindow(c, windows[w + 1]!);
          // Settled even if nobody waits for it any more (this loop returned early).
          nextListing.catch(() => undefined);
        };
        const r = await handOverWindow(c, pending, uids.length, listNext);
        if (r !== 'caught-up') return r;
        listNext();
        if (!nextListing) break;
        listing = nextListing;
      }
    }
  };

  /**
   * Hands over one listed window, keeping LOOKAHEAD_BATCHES batches fetched and parsed ahead: while
   * batch i is committed and moved, the next ones are fetched and parsed (on the mail thread).
   * Commits stay in UID order, one after the other; a batch fetched ahead that is never committed
   * (stop, failure) is simply fetched again later. `listNext` is called once the last batch is
   * under way, so the next window is listed meanwhile.
   */
  const handOverWindow = async (c: ImapFlow, pending: PendingMessage[], backlog: number, listNext: () => void): Promise<DrainResult> => {
    if (pending.length === 0) return 'caught-up';
    const oldestFrom = oldestFromOf(pending);
    oldestPendingAt = oldestFrom[0];
    log.debug({ event: 'imap.scan', pending: pending.length, fromUid: pending[0]!.uid, backlog }, 'new mail');
    // The first window after start ramps up from a small batch, so its first commit comes at once;
    // later windows are full batches (a window is only part of a backlog).
    const batches = planBatches(pending, batchSize, maxBatchBytes, firstWindow ? FIRST_BATCH : batchSize);
    firstWindow = false;
    const ahead: Array<Promise<Stage>> = [];
    let nextToFetch = 0;
    const fillAhead = (): void => {
      while (ahead.length < LOOKAHEAD_BATCHES && nextToFetch < batches.length && !stopping) {
        const p = startStage(c, batches[nextToFetch++]!);
        // Settled even if nobody waits for it any more (the caller returned early).
        p.catch(() => undefined);
        ahead.push(p);
      }
      if (nextToFetch >= batches.length) listNext();
    };
    fillAhead();
    let offset = 0;
    for (const batch of batches) {
      const current = ahead.shift();
      if (!current) return 'stopping';
      const stage = await current;
      fillAhead();
      const r = await processStage(c, stage, oldestFrom, offset);
      if (r !== 'caught-up') return r;
      offset += batch.length;
    }
    return 'caught-up';
  };

  /**
   * Waits in IDLE until new mail, the poll interval, a lost connection or stop. With
   * `mailWakes` false (handler backoff) only the time, stop or a lost connection end it.
   */
  const idleWait = async (c: ImapFlow, ms: number, mailWakes: boolean): Promise<void> => {
    if (mailWakes && newMail) return;
    if (!stopping && !sessionClosed) {
      // Resolves when IDLE ends; the next command (or LOGOUT) breaks it.
      c.idle().catch((err: unknown) => log.debug({ event: 'imap.idle.failed', err: loggedError(err) }, 'IDLE ended with an error'));
    }
    const until = performance.now() + ms;
    for (;;) {
      if (stopping || sessionClosed || (mailWakes && newMail)) return;
      const left = until - performance.now();
      if (left <= 0) return;
      await alarm.sleep(left);
    }
  };

  let firstAttempt: (() => void) | undefined;
  const firstAttemptDone = (): void => {
    const f = firstAttempt;
    firstAttempt = undefined;
    f?.();
  };

  /** One connection, from connect to error, stop or loss. Throws on anything but stop. */
  const session = async (c: ImapFlow): Promise<void> => {
    connecting = true;
    try {
      await withDeadline(c.connect(), fetchTimeoutMs, () => c.close(), 'connect', timers);
    } finally {
      connecting = false;
    }
    if (stopping) return;
    if (useMove(c)) await ensureProcessedFolder(c);
    await openFolder(c);
    status.state = 'connected';
    log.info(
      { event: 'imap.connected', host: cfg.host, port: cfg.port, folder: cfg.folder, uidvalidity: cursor!.uidvalidity, lastUid: cursor!.lastUid, ack: useMove(c) ? 'move' : 'keyword' },
      'IMAP source connected',
    );
    firstAttemptDone();
    let swept = false;
    let handlerFailures = 0;
    for (;;) {
      if (stopping) return;
      if (sessionClosed) throw new SessionLost('connection closed');
      const r = await drain(c);
      if (r === 'stopping' || stopping) return;
      if (!swept) {
        // After new mail, not before: acknowledging can hang on a server-side lock (e.g. left by
        // a crashed server process), and that must not hold up ingest.
        swept = true;
        await sweepLeftovers(c);
      }
      if (r === 'handler-failed') {
        const wait = backoffDelay(handlerFailures, retry);
        handlerFailures += 1;
        log.info({ event: 'imap.retry.scheduled', inMs: wait, failures: handlerFailures }, 'retrying the failed message later');
        await idleWait(c, wait, false);
      } else {
        handlerFailures = 0;
        await idleWait(c, pollMs, true);
      }
    }
  };

  const logout = async (c: ImapFlow): Promise<void> => {
    if (c.usable && !sessionClosed) {
      try {
        await withDeadline(c.logout(), Math.min(fetchTimeoutMs, 10_000), () => c.close(), 'logout', timers);
      } catch {
        // closing anyway
      }
    }
    c.close();
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      const c = newClient();
      client = c;
      sessionClosed = false;
      newMail = false;
      alarm.clear();
      let failed: unknown;
      try {
        await session(c);
      } catch (err) {
        failed = err;
      }
      try {
        saveCursor();
      } catch (err) {
        log.error({ event: 'imap.cursor.failed', err: loggedError(err) }, 'could not save the source cursor');
      }
      await logout(c);
      client = undefined;
      cursor = undefined;
      savedLastUid = -1;
      if (stopping) break;
      if (failed === undefined) failed = new SessionLost('session ended');
      const wasConnected = status.state === 'connected';
      if (wasConnected) failures = 0;
      setError(failed);
      status.state = 'reconnecting';
      status.reconnects += 1;
      const wait = backoffDelay(failures, retry);
      failures += 1;
      log.warn({ event: 'imap.reconnect', err: loggedError(failed), inMs: wait, attempt: failures, reconnects: status.reconnects }, 'IMAP connection lost; reconnecting');
      firstAttemptDone();
      const until = performance.now() + wait;
      while (!stopping && performance.now() < until) await alarm.sleep(until - performance.now());
    }
  };

  return {
    name,
    async start() {
      if (loop) return;
      stopping = false;
      status.state = 'starting';
      const first = new Promise<void>((resolve) => {
        firstAttempt = resolve;
      });
      loop = run()
        .catch((err: unknown) => {
          // run() handles every error itself; this is a bug guard, never a silent stop
          setError(err);
          log.error({ event: 'imap.loop.crashed', err: loggedError(err) }, 'IMAP source loop failed');
        })
        .finally(() => {
          status.state = 'stopped';
          oldestPendingAt = undefined;
          firstAttemptDone();
        });
      await first;
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      alarm.wake();
      // Nothing in flight while connecting: cut it short instead of waiting for the timeout.
      if (connecting) client?.close();
      // Normally the loop logs out at once. A command that hangs (e.g. a MOVE waiting for a
      // server-side lock) is cut after a grace period, but never while the handler has a message:
      // that one finishes and is recorded first.
      let closer: NodeJS.Timeout | undefined;
      const cut = (): void => {
        if (handling > 0) closer = setTimeout(cut, 100);
        else client?.close();
      };
      closer = setTimeout(cut, STOP_GRACE_MS);
      try {
        await loop;
      } finally {
        clearTimeout(closer);
      }
      loop = undefined;
      log.info({ event: 'imap.stopped', reconnects: status.reconnects }, 'IMAP source stopped');
    },
    status(): SourceStatus {
      const s: SourceStatus = {
        state: status.state,
        reconnects: status.reconnects,
        lagMs: oldestPendingAt === undefined ? 0 : Math.max(0, deps.now() - oldestPendingAt),
      };
      if (status.lastError !== undefined) s.lastError = status.lastError;
      return s;
    },
  };
}
