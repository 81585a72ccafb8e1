import type { ParsedMessage } from '../mail/parse-message.js';
import type { Repositories } from '../store/repositories.js';

/** Stores the message row with its raw bytes and attachments; part of the caller's transaction. */
export function storeMessage(
  repos: Repositories,
  m: { ticketId: number | null; kind: string; visibility?: 'public' | 'internal'; parsed: ParsedMessage; raw: Buffer; receivedAt: number },
): number {
  const p = m.parsed;
  const { id } = repos.messages.addMessage({
    ticketId: m.ticketId,
    direction: 'in',
    visibility: m.visibility ?? 'public',
    kind: m.kind,
    messageId: p.messageId ?? null,
    inReplyTo: p.inReplyTo ?? null,
    references: p.references,
    fromAddr: p.from?.address ?? null,
    fromName: p.from?.name || null,
    to: p.to.map((a) => a.address),
    cc: p.cc.map((a) => a.address),
    subject: p.subject,
    dateHeader: p.date ?? null,
    receivedAt: m.receivedAt,
    raw: m.raw,
    rawSha256: p.digests.raw,
    textBody: p.text,
    htmlBody: p.html ?? null,
    visibleText: p.visibleText,
  });
  for (const a of p.attachments) {
    repos.messages.addAttachment({ messageId: id, content: a.content, sha256: a.sha256, filename: a.filename ?? null, contentType: a.contentType, disposition: a.disposition });
  }
  return id;
}
