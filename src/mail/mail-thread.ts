import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { TidingsError } from '../errors.js';
import { permanentDeliveryError } from '../outbox/delivery-error.js';
import type { RenderFn } from '../outbox/render-mail.js';
import type { BlobRepository } from '../store/blob-repository.js';
import type { MailWorkerReady, MailWorkerReply, MailWorkerRequest } from './mail-worker-protocol.js';
import { parseOnThisThread, renderOnThisThread } from './on-this-thread.js';
import type { ParsedMessage, ParseFn } from './parse-message.js';
import { threadCpuClock } from './thread-cpu-clock.js';

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
   * Heap cap of the thread in MiB: a message that needs more ends the thread (which the isolation
   * below turns into a quarantine), not the daemon, as V8 would without a cap. Default a quarter of
   * the machine's memory, 512 to 4096: V8 collects far more often under a tight cap (1024 MiB cost
   * the thread a fifth more CPU per parsed message, 2048 a tenth; 4096 is as fast as none), but a
   * cap above what the machine has protects nothing.
   */
  maxHeapMb?: number;
  /**
   * A thread that has spent this much CPU time on its oldest request without answering it is
   * taken as stuck (a parse in an endless loop) and ended; its requests are then retried as after
   * any death. CPU time, not wall time: on a loaded machine a good parse waits for a core far
   * longer than it runs, and must not be convicted for it. Default 120 s.
   */
  stuckAfterMs?: number;
  /** Another worker script speaking the same protocol, with its workerData (tests). */
  worker?: { url: URL; data?: unknown };
}

const WORKER_URL = new URL('./mail-worker.js', import.meta.url);
const DEFAULT_STUCK_AFTER_MS = 120_000;

export function defaultMailThreadHeapMb(totalMemBytes: number): number {
  return Math.max(512, Math.min(4096, Math.floor(totalMemBytes / 4 / 1024 / 1024)));
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
interface Entry {
  id: number;
  req: MailWorkerRequest;
  resolve: (r: MailWorkerReply & { ok: true }) => void;
  reject: (e: Error) => void;
  /** In flight when a thread died: sent again alone, so a second death names the request that caused it. */
  suspect: boolean;
  /** performance.now() when posted. */
  postedAt: number;
  /**
   * The thread's busy clock when this became the oldest request of a ready thread: the CPU spent
   * on the requests before it, and on loading, is progress, not its own.
   */
  busyAtStart: number | undefined;
}

/**
 * Parsing inbound mail (mailparser plus quoted-reply extraction) and rendering outbound mail
 * (nodemailer) are most of the CPU per message and touch no database, so they run on a second
 * core while the main thread commits, reads the source and sends. One thread: the machine this
 * is sized for has two cores. Results are exactly those of parseMessage and renderMail.
 *
 * A message that kills the thread (the heap cap, a native crash in a dependency, an endless loop
 * the stuck watchdog ends: it counts the thread's CPU time, so a busy machine convicts nothing)
 * must not stop the source for good: when a thread dies after it said it was ready, the
 * requests it held are sent again one at a time to a new thread; one that ends
 * that thread too, alone, is refused for good (a parse with E_MESSAGE_UNPARSEABLE, so the message
 * is quarantined; a render as a permanent failure), and the others go on. A thread that dies
 * before it is ready (it cannot load, the machine is out of threads) is the thread's fault, not
 * the messages': what it held and what waits is refused with E_MAIL_THREAD_UNAVAILABLE, which
 * the sources and the outbox retry with their backoff.
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
      parse: parseOnThisThread,
      render: (mail, messageId) => renderOnThisThread({ mail, messageId, blobs }),
      close: async () => undefined,
    };
  }
  const maxHeapMb = options.maxHeapMb ?? defaultMailThreadHeapMb(totalmem());
  const stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  /** Not yet posted; suspects first. */
  const queue: Entry[] = [];
  /** Posted to the current thread, in posting order. */
  const inFlight = new Map<number, Entry>();
  /** The one request in flight is a suspect (it runs alone). */
  let suspectRunning = false;
  let watchdog: NodeJS.Timeout | undefined;
  /**
   * How long the current thread has been busy, in ms; set once it said it was ready. Its CPU time
   * where the kernel tells it per thread (Linux); elsewhere the time its event loop was not idle,
   * which leaves out waits but not time spent waiting for a core.
   */
  let busyMs: (() => number) | undefined;

  const refuse = (entries: Entry[], reason: string): void => {
    for (const e of entries) e.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', reason));
  };

  /**
   * Armed for the oldest request in flight (Map keeps posting order) of a ready thread: it looks
   * again when the request could have used up its CPU budget, and ends the thread only when it
   * has. Loading is not timed: a thread that is not ready cannot convict a message anyway.
   */
  const arm = (): void => {
    if (watchdog) clearTimeout(watchdog);
    watchdog = undefined;
    const oldest = inFlight.values().next().value as Entry | undefined;
    const w = worker;
    const busy = busyMs;
    if (!oldest || !w || !busy) return;
    const now = busy();
    const from = (oldest.busyAtStart ??= now);
    const check = (): void => {
      const spentMs = busy() - from;
      if (spentMs < stuckAfterMs) {
        // Waiting for a core, or blocked: wall time passed without the work. Look again later.
        watchdog = setTimeout(check, Math.max(1, stuckAfterMs - spentMs));
        watchdog.unref();
        return;
      }
      watchdog = undefined;
      log.error(
        { event: 'mail_thread.stuck', op: oldest.req.op, busyMs: Math.round(spentMs), waitedMs: Math.round(performance.now() - oldest.postedAt) },
        'mail thread stopped answering; ending it',
      );
      void w.terminate();
    };
    watchdog = setTimeout(check, Math.max(1, stuckAfterMs - (now - from)));
    watchdog.unref();
  };

  const start = (): Worker => {
    const w = new Worker(workerUrl, { workerData: options.worker?.data, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    let ready = false;
    w.on('message', (reply: MailWorkerReply | MailWorkerReady) => {
      if ('ready' in reply) {
        ready = true;
        if (worker === w) {
          const cpu = reply.kernelThreadId === undefined ? undefined : threadCpuClock(reply.kernelThreadId);
          busyMs = cpu ?? (() => w.performance.eventLoopUtilization().active);
          arm();
        }
        return;
      }
      const e = inFlight.get(reply.id);
      if (!e) return;
      // The watchdog follows the oldest request; only its answer moves it.
      const wasOldest = inFlight.keys().next().value === reply.id;
      inFlight.delete(reply.id);
      if (e.suspect) suspectRunning = false;
      if (inFlight.size === 0) w.unref();
      if (reply.ok) e.resolve(reply);
      else if (reply.error.code) e.reject(new TidingsError(reply.error.code, reply.error.message, { details: reply.error.details ?? {} }));
      else e.reject(new Error(reply.error.message));
      if (wasOldest) arm();
      pump();
    });
    w.on('error', (err) => {
      log.error({ event: 'mail_thread.failed', err }, 'mail thread failed; it is restarted at the next request');
    });
    w.on('exit', (code) => {
      if (worker === w) {
        worker = undefined;
        busyMs = undefined;
      }
      const held = [...inFlight.values()];
      inFlight.clear();
      suspectRunning = false;
      arm();
      if (held.length === 0) return;
      if (closed) return refuse(held, 'the mail thread was closed');
      if (!ready) {
        log.error({ event: 'mail_thread.start_failed', exitCode: code, refused: held.length + queue.length }, 'mail thread ended before it was ready; its work is refused for a retry');
        refuse([...held, ...queue.splice(0)], `mail thread exited with code ${code} before it was ready`);
        return;
      }
      if (held.length === 1 && held[0]!.suspect) {
        const culprit = held[0]!;
        log.error({ event: 'mail_thread.poison', op: culprit.req.op, exitCode: code }, 'a request ended the mail thread twice; refused for good');
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

  /** Posts what may run now, then arms the watchdog if the thread was idle (no clock reads between posts). */
  const pump = (): void => {
    const wasIdle = inFlight.size === 0;
    post();
    if (wasIdle && inFlight.size > 0) arm();
  };

  /** Everything, unless a suspect is waiting or running, which runs alone. */
  const post = (): void => {
    while (!closed && queue.length > 0) {
      // A suspect is posted only to an idle thread and nothing joins it; suspects wait at the front.
      if ((queue[0]!.suspect || suspectRunning) && inFlight.size > 0) return;
      const e = queue.shift()!;
      try {
        worker ??= start();
        // Referenced while it owes an answer, so a one-shot command does not exit before it comes.
        worker.ref();
        worker.postMessage(e.req);
      } catch (err) {
        // No thread to be had (out of threads or memory), or a payload that cannot be cloned.
        e.reject(new TidingsError('E_MAIL_THREAD_UNAVAILABLE', `mail thread request failed: ${(err as Error).message}`, { cause: err }));
        continue;
      }
      e.postedAt = performance.now();
      e.busyAtStart = undefined;
      inFlight.set(e.id, e);
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
      queue.push({ id, req: { ...req, id } as MailWorkerRequest, resolve, reject, suspect: false, postedAt: 0, busyAtStart: undefined });
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
      if (watchdog) clearTimeout(watchdog);
      watchdog = undefined;
      refuse(waiting, 'the mail thread was closed');
      if (w) await w.terminate();
    },
  };
}

/** What a request that killed the thread on its own is refused with: the caller's code for "this input, for good". */
function poisonError(req: MailWorkerRequest, exitCode: number): TidingsError {
  const message = `the mail thread ended on this ${req.op === 'parse' ? 'message' : 'mail'} twice (exit code ${exitCode})`;
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
