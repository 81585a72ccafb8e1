import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { TidingsError } from '../errors.js';
import { renderMail, type RenderFn } from '../outbox/render-mail.js';
import type { BlobRepository } from '../store/blob-repository.js';
import type { MailWorkerReply, MailWorkerRequest } from './mail-worker-protocol.js';
import { parseMessage, type ParsedMessage, type ParseFn } from './parse-message.js';

export interface MailThread {
  parse: ParseFn;
  render: RenderFn;
  /** 'thread': a worker thread does the work; 'inline': the calling thread does. */
  readonly mode: 'thread' | 'inline';
  /** Ends the thread; requests still waiting are refused with E_MAIL_THREAD_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface MailThreadOptions {
  logger: Logger;
  /** Attachment bytes for rendering, read on the calling thread (the database stays there). */
  blobs: Pick<BlobRepository, 'get'>;
  /** Use a worker thread (default true). Falls back to inline when the compiled worker is missing. */
  thread?: boolean;
}

const WORKER_URL = new URL('./mail-worker.js', import.meta.url);

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Pending = { resolve: (r: MailWorkerReply & { ok: true }) => void; reject: (e: Error) => void };

/**
 * Parsing inbound mail (mailparser plus quoted-reply extraction) and rendering outbound mail
 * (nodemailer) are most of the CPU per message and touch no database, so they run on a second
 * core while the main thread commits, reads the source and sends. One thread: the machine this
 * is sized for has two cores. Results are exactly those of parseMessage and renderMail.
 *
 * Running from the TypeScript sources (tests) there is no compiled worker file; the work is then
 * done inline with the same functions.
 */
export function createMailThread(options: MailThreadOptions): MailThread {
  const { logger: log, blobs } = options;
  if (options.thread === false || !existsSync(fileURLToPath(WORKER_URL))) {
    return {
      mode: 'inline',
      parse: parseMessage,
      render: (mail, messageId) => renderMail({ mail, messageId, blobs }),
      close: async () => undefined,
    };
  }
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();

  const failAll = (reason: string): void => {
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', reason));
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_URL);
    w.on('message', (reply: MailWorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) p.resolve(reply);
      else if (reply.error.code) p.reject(new TidingsError(reply.error.code, reply.error.message, { details: reply.error.details ?? {} }));
      else p.reject(new Error(reply.error.message));
    });
    w.on('error', (err) => {
      log.error({ event: 'mail_thread.failed', err }, 'mail thread failed; it is restarted at the next request');
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      if (pending.size > 0) failAll(`mail thread exited with code ${code}`);
    });
    w.unref();
    return w;
  };

  // Started now, so its modules (mailparser, nodemailer) load while the source connects.
  worker = start();

  const request = (req: WithoutId<MailWorkerRequest>): Promise<MailWorkerReply & { ok: true }> => {
    if (closed) return Promise.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', 'the mail thread was closed'));
    worker ??= start();
    const w = worker;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Referenced while it owes an answer, so a one-shot command does not exit before it comes.
      w.ref();
      w.postMessage({ ...req, id } as MailWorkerRequest);
    });
  };

  return {
    mode: 'thread',
    async parse(raw, parseOptions) {
      const reply = await request({ op: 'parse', raw, maxBytes: parseOptions.maxBytes });
      if (!('parsed' in reply)) throw new Error('mail thread answered a parse with something else');
      return revive(reply.parsed);
    },
    async render(mail, messageId) {
      const attachments: Array<[string, Uint8Array]> = [];
      for (const sha of attachmentShas(mail)) {
        const content = blobs.get(sha);
        // A missing blob is the renderer's to report (a permanent failure naming it).
        if (content) attachments.push([sha, content]);
      }
      const reply = await request({ op: 'render', mail, messageId, attachments });
      if (!('rendered' in reply)) throw new Error('mail thread answered a render with something else');
      const r = reply.rendered;
      return Buffer.from(r.buffer, r.byteOffset, r.byteLength);
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      failAll('the mail thread was closed');
      if (w) await w.terminate();
    },
  };
}

/** The sha256 keys an outbox mail JSON names; anything malformed is left for renderMail to refuse. */
function attachmentShas(mail: unknown): string[] {
  const list = (mail as { attachments?: unknown } | null)?.attachments;
  if (!Array.isArray(list)) return [];
  return list.map((a) => (a as { sha256?: unknown } | null)?.sha256).filter((s): s is string => typeof s === 'string');
}

/** Structured clone turns Buffers into Uint8Arrays; attachments are Buffers again on this side. */
function revive(parsed: ParsedMessage): ParsedMessage {
  for (const a of parsed.attachments) {
    const c = a.content as Uint8Array;
    if (!Buffer.isBuffer(c)) a.content = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
  return parsed;
}
