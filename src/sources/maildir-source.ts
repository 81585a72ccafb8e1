/**
 * The Maildir source, the embedded default. Delivery agents write a message into tmp/ and rename
 * it into new/, so a file in new/ is always complete; tmp/ is never read.
 *
 * new/ is scanned in name order (Maildir names start with the delivery time), woken by fs.watch
 * where the file system supports it and by a poll every `pollSeconds` everywhere. Each message is
 * handed to the handler with `{ source: 'maildir:<abs path>', key: <base name> }`; only after the
 * handler returned (committed) is it renamed to `cur/<base name>:2,S`. The base name (the part
 * before ":2,") never changes, so a crash between commit and rename re-reads the file under the
 * same key and the pipeline's dedupe makes that a no-op.
 *
 * With a batch handler, up to `batchSize` files (at most `maxBatchBytes`) are read and parsed
 * together and stored in one transaction (group commit: one fsync per batch), the next batch read
 * and parsed while this one commits; the files are renamed only after that commit. If preparing
 * or committing a batch fails, that batch is handed over again one file at a time, with the rules
 * below.
 *
 * A handler error stops the scan at that file (later files wait too, so mail keeps its order),
 * leaves it in new/, and the scan is retried after a capped exponential backoff. The handler
 * throws only for temporary failures; poison mail is quarantined and counts as handled.
 *
 * A file larger than the message limit is never read (one over 2 GiB cannot be, and would stop
 * the scan for good): its size comes from the scan's stat, it is quarantined by reference and
 * moved to cur/ like a stored message, before the scan's batches.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { maskCredentials } from '../log/logger.js';
import type { BatchHandler, MailSource, MessageHandler, OversizedPolicy, PreparedBatch, SourceMessage, SourceState, SourceStatus } from './mail-source.js';
import { FIRST_BATCH, planBatches } from './plan-batches.js';
import { Alarm, DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './source-timing.js';

/** Batches read and prepared ahead of the one being committed, as the IMAP source keeps. */
const LOOKAHEAD_BATCHES = 2;

export interface MaildirSourceDeps {
  /** The Maildir root (holds new/, cur/, tmp/); created when missing. */
  path: string;
  handler: MessageHandler;
  /** Group commit; without it every file is stored by `handler` in its own transaction. */
  batchHandler?: BatchHandler;
  /** Files per batch (default 250). */
  batchSize?: number;
  /** Upper bound for the bytes of one batch (default 16 MiB; one message always fits). */
  maxBatchBytes?: number;
  logger: Logger;
  now: () => number;
  /** Fallback scan interval; fs.watch wakes the scan at once where it works. */
  pollSeconds: number;
  /** Backoff after a failed message or scan; default 1 s doubling to 60 s. */
  retry?: Partial<RetryPolicy>;
  /** Files larger than this are never read: quarantined by reference and moved to cur/ (see OversizedPolicy). */
  oversized?: OversizedPolicy;
}

/** The identity of a Maildir message: its file name without the ":2,<flags>" info part. */
export function maildirBaseName(file: string): string {
  const i = file.indexOf(':2,');
  return i >= 0 ? file.slice(0, i) : file;
}

/** `maildir:<absolute path>`: SourcePosition.source of this source. */
export function maildirSourceName(dir: string): string {
  return `maildir:${path.resolve(dir)}`;
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return maskCredentials(typeof e?.code === 'string' && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg);
}

type ScanResult = 'done' | 'failed' | 'stopping';

/** The file's bytes, or undefined when another reader took it meanwhile. */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function createMaildirSource(deps: MaildirSourceDeps): MailSource {
  const root = path.resolve(deps.path);
  const newDir = path.join(root, 'new');
  const curDir = path.join(root, 'cur');
  const source = maildirSourceName(root);
  const log = deps.logger;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const pollMs = Math.max(10, deps.pollSeconds * 1000);

  const status: { state: SourceState; lastError?: string; reconnects: number } = { state: 'stopped', reconnects: 0 };
  let oldestPendingAt: number | undefined;
  let stopping = false;
  let loop: Promise<void> | undefined;
  let watcher: FSWatcher | undefined;
  const alarm = new Alarm();
  /** Set by fs.watch; a wake during a backoff does not cut the backoff short. */
  let changed = false;

  /** Complete messages waiting in new/, in name order. */
  const listNew = async (): Promise<string[]> => {
    const entries = await readdir(newDir, { withFileTypes: true });
    return entries
      .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
      .map((e) => e.name)
      .sort();
  };

  /** A file of this scan: its place in name order, and its time and size from the scan's stat. */
  interface Pending {
    name: string;
    index: number;
    mtime: number | undefined;
    size: number;
  }
  /** Files of a batch as read (those still there) and, with a batch handler, their prepared form or why preparing failed. */
  interface Stage {
    files: Array<{ item: Pending; message: SourceMessage }>;
    prepared?: PreparedBatch;
    prepareError?: unknown;
    readError?: unknown;
  }

  const batchSize = Math.max(1, deps.batchSize ?? 250);
  const maxBatchBytes = deps.maxBatchBytes ?? 16 * 1024 * 1024;
  let oldestFrom: Array<number | undefined> = [];

  const positionOf = (item: Pending): SourceMessage['position'] => ({
    source,
    key: maildirBaseName(item.name),
    ...(item.mtime !== undefined ? { receivedAt: Math.floor(item.mtime) } : {}),
  });

  /** Reads a batch's files (a file gone meanwhile was taken by another reader) and prepares them. */
  const load = async (batch: readonly Pending[]): Promise<Stage> => {
    const stage: Stage = { files: [] };
    try {
      // Read synchronously: a few hundred small local files take milliseconds, while async reads
      // queue in libuv's four-thread pool behind the outbox's fsyncs and starve the pipeline.
      for (const item of batch) {
        const raw = readIfPresent(path.join(newDir, item.name));
        if (raw !== undefined) stage.files.push({ item, message: { raw, position: positionOf(item) } });
      }
    } catch (err) {
      stage.readError = err;
      return stage;
    }
    if (deps.batchHandler && stage.files.length > 0) {
      try {
        stage.prepared = await deps.batchHandler.prepare(stage.files.map((f) => f.message));
      } catch (err) {
        stage.prepareError = err;
      }
    }
    return stage;
  };

  /** Where a handled file ends up. */
  const curPath = (item: Pending): string => path.join(curDir, `${maildirBaseName(item.name)}:2,S`);

  /** Into cur/ under the same base name (synchronous, like the reads: a metadata update, not worth a pool thread). */
  const moveToCur = (item: Pending): void => {
    try {
      renameSync(path.join(newDir, item.name), curPath(item));
    } catch (err) {
      // Gone from new/: another reader moved it; it is stored either way. Anything else (cur/
      // missing, disk full) fails the scan and the file is read again, a duplicate, after the backoff.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };

  /** After the commit: into cur/, and the lag moves on to the files after it. */
  const done = (item: Pending): void => {
    moveToCur(item);
    oldestPendingAt = oldestFrom[item.index + 1];
  };

  /** Files over the limit, unread: quarantined by reference, then moved to cur/; the others, in order. */
  const setAsideOversized = (items: Pending[]): Pending[] => {
    const policy = deps.oversized;
    if (!policy) return items;
    const limit = policy.maxBytes();
    const rest: Pending[] = [];
    for (const item of items) {
      if (item.size <= limit) {
        rest.push(item);
        continue;
      }
      const out = policy.quarantine({ position: positionOf(item), size: item.size, original: curPath(item) });
      log.warn({ event: 'maildir.message.oversized', file: maildirBaseName(item.name), bytes: item.size, limit, status: out.status }, 'message over the size limit not read; quarantined by reference');
      moveToCur(item);
    }
    return rest;
  };

  /** One file through the one-message handler; false when it failed (it stays in new/). */
  const handOne = async (item: Pending, raw: Buffer): Promise<boolean> => {
    const base = maildirBaseName(item.name);
    try {
      const out = await deps.handler(raw, positionOf(item));
      log.debug({ event: 'maildir.message.stored', file: base, status: out.status, ticketId: out.ticketId, bytes: raw.length }, 'message handed over');
    } catch (err) {
      status.lastError = errorText(err);
      log.warn({ event: 'maildir.message.failed', file: base, err }, 'message not stored; left in new/ for a retry');
      return false;
    }
    done(item);
    return true;
  };

  /** Commits a loaded batch, or hands it over one file at a time when that is not possible. */
  const handStage = async (stage: Stage): Promise<'done' | 'failed'> => {
    if (stage.readError !== undefined) throw stage.readError;
    if (stage.prepared !== undefined) {
      try {
        const outcomes = deps.batchHandler!.commit(stage.prepared);
        log.debug({ event: 'maildir.batch.stored', count: outcomes.length, stored: outcomes.filter((o) => o.status === 'stored').length }, 'batch handed over');
        for (const f of stage.files) done(f.item);
        return 'done';
      } catch (err) {
        status.lastError = errorText(err);
        log.warn({ event: 'maildir.batch.failed', count: stage.files.length, err }, 'batch not stored; handing it over one message at a time');
      }
    } else if (stage.prepareError !== undefined) {
      status.lastError = errorText(stage.prepareError);
      log.warn({ event: 'maildir.batch.failed', count: stage.files.length, err: stage.prepareError }, 'batch could not be prepared; handing it over one message at a time');
    }
    for (const f of stage.files) {
      if (stopping) return 'done';
      if (!(await handOne(f.item, f.message.raw))) return 'failed';
    }
    return 'done';
  };

  const scanOnce = async (): Promise<ScanResult> => {
    changed = false;
    const names = await listNew();
    if (names.length === 0) {
      oldestPendingAt = undefined;
      return 'done';
    }
    // lag: the oldest file still waiting; stat once per scan, cheap next to the handler
    const stats = await Promise.all(names.map((n) => stat(path.join(newDir, n)).then((st) => ({ mtime: st.mtimeMs, size: st.size }), () => undefined)));
    oldestFrom = new Array<number | undefined>(names.length + 1).fill(undefined);
    for (let i = names.length - 1; i >= 0; i--) {
      const t = stats[i]?.mtime;
      const after = oldestFrom[i + 1];
      oldestFrom[i] = t !== undefined && (after === undefined || t < after) ? t : after;
    }
    oldestPendingAt = oldestFrom[0];
    if (stopping) return 'stopping';
    const items = setAsideOversized(names.map((name, index) => ({ name, index, mtime: stats[index]?.mtime, size: stats[index]?.size ?? 0 })));

    // Batches read and parsed ahead while the current one commits; commits stay in name order.
    // Without a batch handler a batch is only read together and handed over one file at a time.
    // Small first, so the first commit of a backlog (at start, after a crash) comes at once.
    const batches = planBatches(items, batchSize, maxBatchBytes, FIRST_BATCH);
    const ahead: Array<Promise<Stage>> = [];
    let nextToLoad = 0;
    const fillAhead = (): void => {
      while (ahead.length < LOOKAHEAD_BATCHES && nextToLoad < batches.length) ahead.push(load(batches[nextToLoad++]!));
    };
    const settleAhead = async (): Promise<void> => {
      await Promise.all(ahead.splice(0));
    };
    if (stopping) return 'stopping';
    fillAhead();
    while (ahead.length > 0) {
      const stage = await ahead.shift()!;
      if (stopping) {
        await settleAhead();
        return 'stopping';
      }
      fillAhead();
      let result: 'done' | 'failed';
      try {
        result = await handStage(stage);
      } catch (err) {
        await settleAhead();
        throw err;
      }
      if (result === 'failed') {
        await settleAhead();
        return 'failed';
      }
    }
    return stopping ? 'stopping' : 'done';
  };

  /** Sleeps ms; fs.watch ends it early only when `watchWakes`; stop always does. */
  const pause = async (ms: number, watchWakes: boolean): Promise<void> => {
    const until = performance.now() + ms;
    for (;;) {
      if (stopping || (watchWakes && changed)) return;
      const left = until - performance.now();
      if (left <= 0) return;
      await alarm.sleep(left);
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      let result: ScanResult;
      try {
        result = await scanOnce();
        if (status.state !== 'connected') {
          status.state = 'connected';
        }
      } catch (err) {
        // new/ unreadable, cur/ gone, disk full on rename …: the same backoff as a failed message
        status.lastError = errorText(err);
        status.state = 'reconnecting';
        status.reconnects += 1;
        log.error({ event: 'maildir.scan.failed', err }, 'maildir scan failed');
        result = 'failed';
      }
      if (result === 'stopping' || stopping) break;
      if (result === 'failed') {
        const wait = backoffDelay(failures, retry);
        failures += 1;
        await pause(wait, false);
      } else {
        failures = 0;
        await pause(pollMs, true);
      }
    }
  };

  return {
    async start() {
      if (loop) return;
      for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(root, d), { recursive: true });
      stopping = false;
      status.state = 'starting';
      try {
        // Renames into new/ fire here on Linux; the poll covers file systems where they do not.
        watcher = watch(newDir, () => {
          changed = true;
          alarm.wake();
        });
        watcher.on('error', (err) => log.warn({ event: 'maildir.watch.failed', err }, 'file watch failed; polling only'));
      } catch (err) {
        log.warn({ event: 'maildir.watch.failed', err }, 'file watch unavailable; polling only');
      }
      loop = run().finally(() => {
        status.state = 'stopped';
        oldestPendingAt = undefined;
      });
      log.info({ event: 'maildir.started', path: root, pollSeconds: deps.pollSeconds }, 'watching maildir');
    },
    async stop() {
      if (!loop) return;
      stopping = true;
      watcher?.close();
      watcher = undefined;
      alarm.wake();
      await loop;
      loop = undefined;
      log.info({ event: 'maildir.stopped' }, 'maildir source stopped');
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

/** True when `dir` already looks like a Maildir. */
export function isMaildir(dir: string): boolean {
  return ['new', 'cur', 'tmp'].every((d) => existsSync(path.join(dir, d)));
}
