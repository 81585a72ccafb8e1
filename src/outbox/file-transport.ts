import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { classifyDeliveryError } from './delivery-error.js';
import type { Envelope, MailTransport, SendReceipt } from './transport.js';

export interface FileTransportDeps {
  /** The spool directory (./data/outbox on the embedded default); created when missing. */
  dir: string;
  logger: Logger;
  /** Names the file: `<timestamp>-<message id>.eml`, timestamp in UTC. */
  now: () => number;
}

const SAFE = /[^A-Za-z0-9._@+=-]/g;
const MAX_ID_CHARS = 150;
const FILE_NAME = /^\d{8}T\d{9}Z-(.+)\.eml$/;
const TMP_PREFIX = '.tidings-tmp-';
const FILE_CONCURRENCY = 8;

/**
 * The Message-ID as a file name part: characters outside [A-Za-z0-9._@+=-] become `_`; when that
 * changed anything or the id is long, a hash of the real id is appended after `~` (a character the
 * plain form never contains), so two different ids never share a name.
 */
export function sanitizeMessageId(messageId: string): string {
  const plain = messageId.replace(SAFE, '_');
  if (plain === messageId && plain.length <= MAX_ID_CHARS && plain !== '') return plain;
  return `${plain.slice(0, MAX_ID_CHARS)}~${createHash('sha256').update(messageId).digest('hex').slice(0, 16)}`;
}

/** `20260302T090000123Z`: sortable, no characters a file system dislikes. */
export function spoolTimestamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:.]/g, '');
}

export function emlFileName(messageId: string, at: number): string {
  return `${spoolTimestamp(at)}-${sanitizeMessageId(messageId)}.eml`;
}

/**
 * Writes each message as `<dir>/<timestamp>-<message id>.eml`, the embedded default's "sent" mail.
 *
 * Atomic: the bytes go to a hidden temporary file in the same directory, are fsynced, then renamed
 * into place and the directory is fsynced, so a reader never sees half a file and a crash leaves at
 * most a stray `.tidings-tmp-*` (removed on the next start).
 *
 * Idempotent per Message-ID: a retry after a crash (same id, later timestamp) finds the file
 * already there and writes nothing. The ids present are read from the directory once, at the first
 * send, and kept in memory; one daemon owns the directory.
 */
export function createFileTransport(deps: FileTransportDeps): MailTransport {
  const { dir, logger, now } = deps;
  let present: Promise<Set<string>> | undefined;
  const inFlight = new Map<string, Promise<SendReceipt>>();
  const syncDirShared = coalescedDirSync(dir);

  async function scan(): Promise<Set<string>> {
    await mkdir(dir, { recursive: true });
    const ids = new Set<string>();
    for (const name of await readdir(dir)) {
      if (name.startsWith(TMP_PREFIX)) {
        await unlink(path.join(dir, name)).catch(() => undefined);
        continue;
      }
      const m = FILE_NAME.exec(name);
      if (m?.[1]) ids.add(m[1]);
    }
    return ids;
  }

  const known = (): Promise<Set<string>> => {
    present ??= scan().catch((err: unknown) => {
      present = undefined; // try again on the next send
      throw err;
    });
    return present;
  };

  async function write(envelope: Envelope, raw: Buffer, messageId: string): Promise<SendReceipt> {
    const ids = await known();
    const key = sanitizeMessageId(messageId);
    if (ids.has(key)) {
      logger.info({ event: 'outbox.file_exists', messageId }, 'message already in the spool; not written again');
      return { accepted: [...envelope.to], rejected: [], response: 'already spooled' };
    }
    const name = emlFileName(messageId, now());
    const final = path.join(dir, name);
    const tmp = path.join(dir, `${TMP_PREFIX}${randomBytes(6).toString('hex')}-${key.slice(0, 60)}`);
    try {
      const fh = await open(tmp, 'wx', 0o640);
      try {
        await fh.writeFile(raw);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    ids.add(key);
    await syncDirShared();
    return { accepted: [...envelope.to], rejected: [], response: `written ${name}` };
  }

  return {
    kind: 'file',
    // Parallel writes let the file system commit several fsyncs together, and share the directory fsync.
    maxConcurrency: FILE_CONCURRENCY,
    async send(envelope, raw, messageId) {
      const key = sanitizeMessageId(messageId);
      const running = inFlight.get(key);
      if (running) return running;
      const p = write(envelope, raw, messageId)
        .catch((err: unknown) => {
          throw classifyDeliveryError(err);
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, p);
      return p;
    },
    async verify() {
      try {
        await known();
        const probe = path.join(dir, `${TMP_PREFIX}verify-${randomBytes(4).toString('hex')}`);
        const fh = await open(probe, 'wx', 0o640);
        await fh.close();
        await unlink(probe);
      } catch (err) {
        throw classifyDeliveryError(err);
      }
    },
    async close() {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

/**
 * One directory fsync covers every rename that finished before it started. Callers arriving while
 * one runs share the next one (started when the running one ends), so N parallel writers cost about
 * two directory fsyncs, not N, and none returns before a sync that began after its rename.
 */
export function coalescedDirSync(dir: string, sync: (dir: string) => Promise<void> = syncDir): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    next = undefined;
    const p = sync(dir).finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (next) return next;
    if (!running) return start();
    next = running.then(start, start);
    return next;
  };
}

/** Makes the rename durable; a platform that cannot open a directory for fsync just skips it. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EPERM on platforms without directory fsync: the rename is still atomic.
  } finally {
    await fh?.close();
  }
}
