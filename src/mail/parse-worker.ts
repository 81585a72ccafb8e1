/**
 * The parser thread: parses raw messages (mailparser, reply extraction) off the main thread, which
 * keeps the database, the sources and the outbox. Answers every request with the ParsedMessage or
 * the TidingsError it threw, as plain data.
 */
import { parentPort } from 'node:worker_threads';
import { isTidingsError } from '../errors.js';
import { parseMessage } from './parse-message.js';
import type { ParseReply, ParseRequest } from './parse-protocol.js';

const port = parentPort;
if (!port) throw new Error('parse-worker must run in a worker thread');

port.on('message', (req: ParseRequest) => {
  const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
  parseMessage(raw, { maxBytes: req.maxBytes }).then(
    (parsed) => port.postMessage({ id: req.id, ok: true, parsed } satisfies ParseReply),
    (err: unknown) => {
      const error = isTidingsError(err)
        ? { code: err.code, message: err.message, details: err.details }
        : { message: err instanceof Error ? err.message : String(err) };
      port.postMessage({ id: req.id, ok: false, error } satisfies ParseReply);
    },
  );
});
