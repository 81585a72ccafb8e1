import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { TidingsError } from '../errors.js';
import { parseMessage, type ParsedMessage, type ParseOptions } from './parse-message.js';
import type { ParseReply, ParseRequest } from './parse-protocol.js';

export type ParseFn = (raw: Buffer, options: ParseOptions) => Promise<ParsedMessage>;

export interface MessageParser {
  parse: ParseFn;
  /** 'thread': a worker thread parses; 'inline': the calling thread does. */
  readonly mode: 'thread' | 'inline';
  /** Ends the thread; requests still waiting are refused with E_PARSER_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface MessageParserOptions {
  logger: Logger;
  /** Parse in a worker thread (default true). Falls back to inline when the compiled worker is missing. */
  thread?: boolean;
}

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);

/**
 * Parsing (mailparser plus quoted-reply extraction) is the largest piece of CPU per message and
 * touches no database, so it runs on a second core while the main thread commits the previous
 * batch and sends mail. One thread: the machine this is sized for has two cores.
 *
 * Running from the TypeScript sources (tests) there is no compiled worker file; the parser then
 * runs inline with the same function, so results are identical either way.
 */
export function createMessageParser(options: MessageParserOptions): MessageParser {
  const log = options.logger;
  if (options.thread === false || !existsSync(fileURLToPath(WORKER_URL))) {
    return { parse: parseMessage, mode: 'inline', close: async () => undefined };
  }
  let worker: Worker | undefined;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (p: ParsedMessage) => void; reject: (e: Error) => void }>();

  const failAll = (reason: string): void => {
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(new TidingsError('E_PARSER_UNAVAILABLE', reason));
  };

  const start = (): Worker => {
    const w = new Worker(WORKER_URL);
    w.on('message', (reply: ParseReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) p.resolve(revive(reply.parsed));
      else if (reply.error.code) p.reject(new TidingsError(reply.error.code, reply.error.message, { details: reply.error.details ?? {} }));
      else p.reject(new Error(reply.error.message));
    });
    w.on('error', (err) => {
      log.error({ event: 'parser.thread_failed', err }, 'parser thread failed; it is restarted at the next message');
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      if (pending.size > 0) failAll(`parser thread exited with code ${code}`);
    });
    w.unref();
    return w;
  };

  return {
    mode: 'thread',
    parse(raw, parseOptions) {
      if (closed) return Promise.reject(new TidingsError('E_PARSER_UNAVAILABLE', 'the parser was closed'));
      worker ??= start();
      const w = worker;
      const id = nextId++;
      return new Promise<ParsedMessage>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Referenced while it owes an answer, so a one-shot command does not exit before it comes.
        w.ref();
        w.postMessage({ id, raw, maxBytes: parseOptions.maxBytes } satisfies ParseRequest);
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      failAll('the parser was closed');
      if (w) await w.terminate();
    },
  };
}

/** Structured clone turns Buffers into Uint8Arrays; attachments are Buffers again on this side. */
function revive(parsed: ParsedMessage): ParsedMessage {
  for (const a of parsed.attachments) {
    const c = a.content as Uint8Array;
    if (!Buffer.isBuffer(c)) a.content = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
  return parsed;
}
