/**
 * The stdin "source" of `tidings ingest`: an MTA pipes one message in. The bytes are read whole
 * and exactly (no decoding, no line-ending changes); the pipeline keys the message by its
 * Message-ID or hash, as stdin has no position of its own (`{ source: 'stdin', key: '' }`).
 */
import { TidingsError } from '../errors.js';

/** Larger than any message the pipeline accepts, so its own size limit (quarantine) applies first. */
export const DEFAULT_STDIN_LIMIT = 512 * 1024 * 1024;

export interface ReadStdinOptions {
  /** Where to read from; default process.stdin. Anything that yields Buffers or strings. */
  input?: AsyncIterable<Buffer | string | Uint8Array>;
  /** More bytes than this reject with E_MESSAGE_TOO_LARGE (and reading stops). */
  maxBytes?: number;
}

/** Reads all of the input into one Buffer; rejects with E_MESSAGE_TOO_LARGE beyond `maxBytes`. */
export async function readStdin(options: ReadStdinOptions = {}): Promise<Buffer> {
  const input = options.input ?? process.stdin;
  const maxBytes = options.maxBytes ?? DEFAULT_STDIN_LIMIT;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += b.length;
    if (size > maxBytes) {
      // leaving the loop early destroys a stream input, so the writer gets EPIPE instead of hanging
      throw new TidingsError('E_MESSAGE_TOO_LARGE', `the message on stdin exceeds ${maxBytes} bytes`, { details: { maxBytes } });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, size);
}
