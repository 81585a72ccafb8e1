import type { ErrorCode } from '../errors.js';
import type { ParsedMessage } from './parse-message.js';

/** Main thread → parser thread. */
export interface ParseRequest {
  id: number;
  raw: Uint8Array;
  maxBytes: number;
}

/** Parser thread → main thread: the result, or the error as plain data (a TidingsError keeps its code). */
export type ParseReply =
  | { id: number; ok: true; parsed: ParsedMessage }
  | { id: number; ok: false; error: { code?: ErrorCode; message: string; details?: Record<string, unknown> } };
