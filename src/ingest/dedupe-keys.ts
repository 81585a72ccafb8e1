import { createHash } from 'node:crypto';
import type { SourcePosition } from '../sources/mail-source.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes after the header block: identical for every copy of one mail, whatever trace headers each hop added on top. */
function bodyOf(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const cut = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : raw.length;
  return raw.subarray(cut);
}

/**
 * A message is the same message when it sits at the same source position (a re-read after a
 * crash before the source was acknowledged) or carries the same Message-ID with the same body (the
 * same mail reached us twice: a UIDVALIDITY reset, an alias, a copy in another folder; each copy
 * has its own Received/Delivered-To lines, so the whole bytes differ). The body is part of the key
 * so that two different mails sharing a Message-ID (broken or hostile senders) are both kept:
 * losing a message is worse than storing a copy. Mail without a Message-ID is identified by its bytes.
 */
export function dedupeKeys(position: SourcePosition, messageId: string | undefined, raw: Buffer): string[] {
  const keys: string[] = [];
  if (position.key) keys.push(`pos:${position.source}#${position.key}`);
  if (messageId) keys.push(`mid:${messageId.toLowerCase()}:${sha256(bodyOf(raw)).slice(0, 32)}`);
  else keys.push(`sha256:${sha256(raw)}`);
  return keys;
}
