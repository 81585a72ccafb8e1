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
 * A handler error stops the scan at that file (later files wait too, so mail keeps its order),
 * leaves it in new/, and the scan is retried after a capped exponential backoff. The handler
 * throws only for temporary failures; poison mail is quarantined and counts as handled.
 */
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { maskCredentials } from '../log/logger.js';
import type { MailSource, MessageHandler, SourceState, SourceStatus } from './mail-source.js';
import { Alarm, DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './source-timing.js';

export interface MaildirSourceDeps {
  /** The Maildir root (holds new/, cur/, tmp/); created when missing. */
  path: string;
  handler: MessageHandler;
  logger: Logger;
  now: () => number;
  /** Fallback scan interval; fs.watch wakes the scan at once where it works. */
  pollSeconds: number;
  /** Backoff after a failed message or scan; default 1 s doubling to 60 s. */
  retry?: Partial<RetryPolicy>;
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

  const scanOnce = async (): Promise<ScanResult> => {
    changed = false;
    const names = await listNew();
    if (names.length === 0) {
      oldestPendingAt = undefined;
      return 'done';
    }
    // lag: the oldest file still waiting; stat once per scan, cheap next to the handler
    const times = await Promise.all(names.map((n) => stat(path.join(newDir, n)).then((s) => s.mtimeMs, () => undefined)));
    const oldestFrom: Array<number | undefined> = new Array<number | undefined>(names.length + 1).fill(undefined);
    for (let i = names.length - 1; i >= 0; i--) {
      const t = times[i];
      const after = oldestFrom[i + 1];
      oldestFrom[i] = t !== undefined && (after === undefined || t < after) ? t : after;
    }
    oldestPendingAt = oldestFrom[0];

    for (let i = 0; i < names.length; i++) {
      if (stopping) return 'stopping';
      const name = names[i]!;
      const file = path.join(newDir, name);
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // taken by another reader
        throw err;
      }
      const base = maildirBaseName(name);
      const mtime = times[i];
      try {
        const out = await deps.handler(raw, { source, key: base, ...(mtime !== undefined ? { receivedAt: Math.floor(mtime) } : {}) });
        log.debug({ event: 'maildir.message.stored', file: base, status: out.status, ticketId: out.ticketId, bytes: raw.length }, 'message handed over');
      } catch (err) {
        status.lastError = errorText(err);
        log.warn({ event: 'maildir.message.failed', file: base, err }, 'message not stored; left in new/ for a retry');
        return 'failed';
      }
      await rename(file, path.join(curDir, `${base}:2,S`));
      oldestPendingAt = oldestFrom[i + 1];
    }
    return 'done';
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
