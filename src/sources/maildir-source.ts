import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { maskCredentials } from '../log/logger.js';
import type { MailSource, MessageHandler, SourceStatus } from './mail-source.js';

export interface MaildirSourceDeps {
  /** The Maildir root (holds new/, cur/, tmp/). */
  path: string;
  handler: MessageHandler;
  logger: Logger;
  now: () => number;
  /** Fallback scan interval; fs.watch wakes the scan at once where it works. */
  pollSeconds: number;
}

/** Maildir flags after ":2," are not part of a message's identity. */
function baseName(file: string): string {
  const i = file.indexOf(':2,');
  return i >= 0 ? file.slice(0, i) : file;
}

/**
 * The embedded default source. Delivery agents write into tmp/ and rename into new/, so a file in
 * new/ is always complete. A message moves to cur/ (flag S) only after the handler committed it;
 * if the process dies in between, the next scan finds it in new/ again and the pipeline's dedupe
 * keys (source position = base name) make that a no-op.
 */
export function createMaildirSource(deps: MaildirSourceDeps): MailSource {
  const root = path.resolve(deps.path);
  const newDir = path.join(root, 'new');
  const curDir = path.join(root, 'cur');
  const source = `maildir:${root}`;
  const log = deps.logger;
  const state: SourceStatus = { state: 'stopped', reconnects: 0, lagMs: 0 };
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let scanning: Promise<void> | undefined;
  let rescan = false;
  /** Failed files wait before the next attempt so one bad message cannot spin the loop. */
  const retryAt = new Map<string, number>();
  let failures = 0;

  const scanOnce = async (): Promise<void> => {
    const names = (await readdir(newDir)).filter((n) => !n.startsWith('.')).sort();
    if (names.length === 0) {
      state.lagMs = 0;
      return;
    }
    let oldest = Infinity;
    for (const name of names) {
      if (stopping) return;
      const file = path.join(newDir, name);
      const due = retryAt.get(name);
      if (due !== undefined && due > deps.now()) continue;
      let raw: Buffer;
      let mtimeMs: number;
      try {
        [raw, mtimeMs] = await Promise.all([readFile(file), stat(file).then((s) => s.mtimeMs)]);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // taken by another reader
        throw err;
      }
      oldest = Math.min(oldest, mtimeMs);
      try {
        await deps.handler(raw, { source, key: baseName(name), receivedAt: Math.floor(mtimeMs) });
      } catch (err) {
        failures += 1;
        const delay = Math.min(60_000, 1000 * 2 ** Math.min(failures, 6));
        retryAt.set(name, deps.now() + delay);
        state.lastError = maskCredentials((err as Error).message);
        log.warn({ event: 'maildir.message_failed', err, file: name, retryInMs: delay }, 'message not stored; left in new/ for a retry');
        continue;
      }
      failures = 0;
      retryAt.delete(name);
      await rename(file, path.join(curDir, `${baseName(name)}:2,S`));
    }
    state.lagMs = Number.isFinite(oldest) ? Math.max(0, deps.now() - oldest) : 0;
  };

  /** One scan at a time; a wake-up during a scan schedules exactly one more. */
  const scan = (): Promise<void> => {
    if (scanning) {
      rescan = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        rescan = false;
        try {
          await scanOnce();
          if (state.state !== 'stopped') state.state = 'connected';
        } catch (err) {
          state.state = 'reconnecting';
          state.lastError = maskCredentials((err as Error).message);
          log.error({ event: 'maildir.scan_failed', err }, 'maildir scan failed');
        }
      } while (rescan && !stopping);
    })().finally(() => {
      scanning = undefined;
    });
    return scanning;
  };

  return {
    async start() {
      for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(root, d), { recursive: true });
      stopping = false;
      state.state = 'starting';
      try {
        // Renames into new/ fire here on Linux; the poll covers network file systems where it does not.
        watcher = watch(newDir, () => void scan());
        watcher.on('error', (err) => log.warn({ event: 'maildir.watch_failed', err }, 'file watch failed; polling only'));
      } catch (err) {
        log.warn({ event: 'maildir.watch_failed', err }, 'file watch unavailable; polling only');
      }
      const tick = (): void => {
        timer = setTimeout(() => {
          void scan().finally(() => {
            if (!stopping) tick();
          });
        }, deps.pollSeconds * 1000);
        timer.unref?.();
      };
      await scan();
      tick();
      log.info({ event: 'maildir.started', path: root }, 'watching maildir');
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      await scanning;
      state.state = 'stopped';
      log.info({ event: 'maildir.stopped' }, 'maildir source stopped');
    },
    status: () => ({ ...state }),
  };
}

/** True when `dir` already looks like a Maildir. */
export function isMaildir(dir: string): boolean {
  return ['new', 'cur', 'tmp'].every((d) => existsSync(path.join(dir, d)));
}
