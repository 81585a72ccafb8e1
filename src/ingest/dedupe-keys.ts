import { createHash } from 'node:crypto';
import type { SourcePosition } from '../sources/mail-source.js';

/**
 * A message is the same message when it sits at the same source position (a re-read after a
 * crash before the source was acknowledged) or carries the same Message-ID (the same mail reached
 * us twice: a UIDVALIDITY reset, an alias, a copy in another folder). Mail without a Message-ID is
 * identified by its bytes.
 */
export function dedupeKeys(position: SourcePosition, messageId: string | undefined, raw: Buffer): string[] {
  const keys: string[] = [];
  if (position.key) keys.push(`pos:${position.source}#${position.key}`);
  if (messageId) keys.push(`mid:${messageId.toLowerCase()}`);
  else keys.push(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
  return keys;
}
