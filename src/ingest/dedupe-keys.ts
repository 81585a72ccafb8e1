import type { MessageDigests } from '../mail/message-digests.js';
import type { SourcePosition } from '../sources/mail-source.js';

/**
 * A message is the same message when it sits at the same source position (a re-read after a
 * crash before the source was acknowledged) or carries the same Message-ID with the same body (the
 * same mail reached us twice: a UIDVALIDITY reset, an alias, a copy in another folder; each copy
 * has its own Received/Delivered-To lines, so the whole bytes differ). The body is part of the key
 * so that two different mails sharing a Message-ID (broken or hostile senders) are both kept:
 * losing a message is worse than storing a copy. Mail without a Message-ID is identified by its bytes.
 */
export function dedupeKeys(position: SourcePosition, messageId: string | undefined, digests: MessageDigests): string[] {
  const keys: string[] = [];
  const pos = positionKey(position);
  if (pos) keys.push(pos);
  if (messageId) keys.push(`mid:${messageId.toLowerCase()}:${digests.body.slice(0, 32)}`);
  else keys.push(`sha256:${digests.raw}`);
  return keys;
}

/** The key of a source position alone; undefined where the source has none (stdin). */
export function positionKey(position: SourcePosition): string | undefined {
  return position.key ? `pos:${position.source}#${position.key}` : undefined;
}
