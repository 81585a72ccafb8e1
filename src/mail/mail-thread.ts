import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { TidingsError } from '../errors.js';
import { permanentDeliveryError } from '../outbox/delivery-error.js';
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
  /**
   * Heap cap of the thread in MiB (default 4096): a message that needs more ends the thread (which
   * the isolation below turns into a quarantine), not the daemon, as V8 would without a cap. Not
   * lower: V8 collects far more often under a tighter cap (1024 MiB cost the thread a fifth more
   * CPU per parsed message, 2048 a tenth; 4096 is as fast as none).
   */
  maxHeapMb?: number;
  /** Another worker script speaking the same protocol, with its workerData (tests). */
  worker?: { url: URL; data?: unknown };
}

const WORKER_URL = new URL('./mail-worker.js', import.meta.url);
const DEFAULT_MAX_HEAP_MB = 4096;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
interface Entry {
  id: number;
  req: MailWorkerRequest;
  resolve: (r: MailWorkerReply & { ok: true }) => void;
  reject: (e: Error) => void;
  /** In flight when a thread died: sent again alone, so a second death names the request that caused it. */
  suspect: boolean;
}

/**
 * Parsing inbound mail (mailparser plus quoted-reply extraction) and rendering outbound mail
 * (nodemailer) are most of the CPU per message and touch no database, so they run on a second
 * core while the main thread commits, reads the source and sends. One thread: the machine this
 * is sized for has two cores. Results are exactly those of parseMessage and renderMail.
 *
 * A message that kills the thread (the heap cap, a native crash in a dependency) must not stop
 * the source for good: when the thread dies, the requests it held are sent again one at a time
 * to a new thread; one that kills that thread too, alone, is refused for good (a parse with
 * E_MESSAGE_UNPARSEABLE, so the message is quarantined; a render as a permanent failure), and the
 * others go on. Until some thread has answered once, a death is the thread's fault, not the
 * message's: the requests are refused with E_MAIL_THREAD_UNAVAILABLE, which callers retry.
 *
 * Running from the TypeScript sources (tests) there is no compiled worker file; the work is then
 * done inline with the same functions.
 */
export function createMailThread(options: MailThreadOptions): MailThread {
  const { logger: log, blobs } = options;
  const workerUrl = options.worker?.url ?? WORKER_URL;
  if (options.thread === false || !existsSync(fileURLToPath(workerUrl))) {
    return {
      mode: 'inline',
      parse: parseMessage,
      render: (mail, messageId) => renderMail({ mail, messageId, blobs }),
      close: async () => undefined,
    };
  }
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  /** Some thread answered a request: the worker script loads and works. */
  let everAnswered = false;
  /** Not yet posted; suspects first. */
  const queue: Entry[] = [];
  const inFlight = new Map<number, Entry>();
  /** The one request in flight is a suspect (it runs alone). */
  let suspectRunning = false;

  const refuse = (entries: Entry[], reason: string): void => {
    for (const e of entries) e.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', reason));
  };

  const start = (): Worker => {
    const w = new Worker(workerUrl, { workerData: options.worker?.data, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    w.on('message', (reply: MailWorkerReply) => {
      const e = inFlight.get(reply.id);
      if (!e) return;
      inFlight.delete(reply.id);
      if (e.suspect) suspectRunning = false;
      everAnswered = true;
      if (inFlight.size === 0) w.unref();
      if (reply.ok) e.resolve(reply);
      else if (reply.error.code) e.reject(new TidingsError(reply.error.code, reply.error.message, { details: reply.error.details ?? {} }));
      else e.reject(new Error(reply.error.message));
      pump();
    });
    w.on('error', (err) => {
      log.error({ event: 'mail_thread.failed', err }, 'mail thread failed; it is restarted at the next request');
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      const held = [...inFlight.values()].sort((a, b) => a.id - b.id);
      inFlight.clear();
      suspectRunning = false;
      if (held.length === 0) return;
      if (closed) return refuse(held, 'the mail thread was closed');
      if (!everAnswered) {
        refuse([...held, ...queue.splice(0)], `mail thread exited with code ${code}`);
        return;
      }
      if (held.length === 1 && held[0]!.suspect) {
        const culprit = held[0]!;
        log.error({ event: 'mail_thread.poison', op: culprit.req.op, exitCode: code }, 'a request killed the mail thread twice; refused for good');
        culprit.reject(poisonError(culprit.req, code));
      } else {
        log.warn({ event: 'mail_thread.died', exitCode: code, held: held.length }, 'mail thread died; its requests are retried one at a time');
        for (const e of held) e.suspect = true;
        queue.unshift(...held);
      }
      pump();
    });
    w.unref();
    return w;
  };

  /** Posts what may run now: everything, unless a suspect is waiting or running, which runs alone. */
  const pump = (): void => {
    while (!closed && queue.length > 0) {
      // A suspect is posted only to an idle thread and nothing joins it; suspects wait at the front.
      if ((queue[0]!.suspect || suspectRunning) && inFlight.size > 0) return;
      const e = queue.shift()!;
      worker ??= start();
      inFlight.set(e.id, e);
      // Referenced while it owes an answer, so a one-shot command does not exit before it comes.
      worker.ref();
      worker.postMessage(e.req);
      if (e.suspect) {
        suspectRunning = true;
        return;
      }
    }
  };

  // Started now, so its modules (mailparser, nodemailer) load while the source connects.
  worker = start();

  const request = (req: WithoutId<MailWorkerRequest>): Promise<MailWorkerReply & { ok: true }> => {
    if (closed) return Promise.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', 'the mail thread was closed'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      queue.push({ id, req: { ...req, id } as MailWorkerRequest, resolve, reject, suspect: false });
      pump();
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
      const waiting = [...inFlight.values(), ...queue.splice(0)];
      inFlight.clear();
      refuse(waiting, 'the mail thread was closed');
      if (w) await w.terminate();
    },
  };
}

/** What a request that killed the thread on its own is refused with: the caller's code for "this input, for good". */
function poisonError(req: MailWorkerRequest, exitCode: number): TidingsError {
  const message = `the mail thread died on this ${req.op === 'parse' ? 'message' : 'mail'} twice (exit code ${exitCode})`;
  if (req.op === 'parse') return new TidingsError('E_MESSAGE_UNPARSEABLE', message, { details: { size: req.raw.byteLength, exitCode } });
  return permanentDeliveryError(message, { stage: 'render' });
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
