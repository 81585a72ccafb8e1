import { sha256Hex } from '../store/blob-repository.js';

/** SHA-256 (lower-case hex) of a message's bytes and of its body: what dedupe keys and the raw blob are keyed by. */
export interface MessageDigests {
  /** The whole message byte for byte: the key of its raw blob. */
  raw: string;
  /** The bytes after the top-level header block: the same for every copy of one mail, whatever trace headers each hop added. */
  body: string;
}

/** The bytes after the first blank line (CRLF or LF); the whole message is header when there is none. */
export function bodyBytes(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const cut = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return raw.subarray(cut);
}

/** Computed where the message is parsed (the mail thread), so the main thread hashes nothing per message. */
export function messageDigests(raw: Buffer): MessageDigests {
  return { raw: sha256Hex(raw), body: sha256Hex(bodyBytes(raw)) };
}
