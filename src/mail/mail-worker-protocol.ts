import type { ErrorCode } from '../errors.js';
import type { ParsedMessage } from './parse-message.js';

/** Main thread → mail thread. */
export type MailWorkerRequest =
  | { id: number; op: 'parse'; raw: Uint8Array; maxBytes: number }
  | { id: number; op: 'render'; mail: unknown; messageId: string; attachments: Array<[sha256: string, content: Uint8Array]> };

/** Mail thread → main thread, once, as soon as its modules are loaded and it listens. */
export interface MailWorkerReady {
  ready: true;
  /** The kernel's id of the thread (Linux), so the main thread can read its CPU time while it is busy. */
  kernelThreadId?: number | undefined;
}

/** Mail thread → main thread: the result, or the error as plain data (a TidingsError keeps its code and details). */
export type MailWorkerReply =
  | { id: number; ok: true; parsed: ParsedMessage }
  | { id: number; ok: true; rendered: Uint8Array }
  | { id: number; ok: false; error: { code?: ErrorCode; message: string; details?: Record<string, unknown> } };
