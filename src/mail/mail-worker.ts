/**
 * The mail thread: parses inbound messages (mailparser, reply extraction) and renders outbound
 * ones (nodemailer) off the main thread, which keeps the database, the sources and the sends.
 * Answers every request with its result or the TidingsError it threw, as plain data.
 */
import { parentPort } from 'node:worker_threads';
import { isTidingsError } from '../errors.js';
import type { MailWorkerReady, MailWorkerReply, MailWorkerRequest } from './mail-worker-protocol.js';
import { renderOnThisThread } from './on-this-thread.js';
// Loaded before the thread says it is ready: parsing is what a starting daemon waits for. The
// renderer (nodemailer) loads on the first render, after the first commit.
import { parseMessage } from './parse-message.js';
import { currentKernelThreadId } from './thread-cpu-clock.js';

const port = parentPort;
if (!port) throw new Error('mail-worker must run in a worker thread');

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function run(req: MailWorkerRequest): Promise<MailWorkerReply> {
  if (req.op === 'parse') {
    return parseMessage(asBuffer(req.raw), { maxBytes: req.maxBytes }).then((parsed) => ({ id: req.id, ok: true, parsed }));
  }
  const blobs = new Map(req.attachments.map(([sha, content]) => [sha, asBuffer(content)]));
  return renderOnThisThread({ mail: req.mail, messageId: req.messageId, blobs: { get: (sha) => blobs.get(sha) } }).then((rendered) => ({ id: req.id, ok: true, rendered }));
}

port.on('message', (req: MailWorkerRequest) => {
  run(req).then(
    (reply) => port.postMessage(reply),
    (err: unknown) => {
      const error = isTidingsError(err)
        ? { code: err.code, message: err.message, details: err.details }
        : { message: err instanceof Error ? err.message : String(err) };
      port.postMessage({ id: req.id, ok: false, error } satisfies MailWorkerReply);
    },
  );
});

// Loaded and listening: from now on a death is about what this thread was given, not about the thread.
port.postMessage({ ready: true, kernelThreadId: currentKernelThreadId() } satisfies MailWorkerReady);
