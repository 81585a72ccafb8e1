import type { BlobRepository } from './blob-repository.js';
import type { Db } from './open-database.js';

export type MessageDirection = 'in' | 'out';
export type MessageVisibility = 'public' | 'internal';

export interface NewMessage {
  ticketId: number | null;
  direction: MessageDirection;
  visibility?: MessageVisibility;
  /** client, staff, note, automated, bounce, ack, notification, relay, escalation, closing, ... */
  kind: string;
  /** Message-ID without angle brackets. */
  messageId?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  fromAddr?: string | null;
  fromName?: string | null;
  to?: string[];
  cc?: string[];
  subject?: string | null;
  dateHeader?: number | null;
  receivedAt: number;
  /** The message byte for byte; stored content-addressed in blobs. */
  raw: Uint8Array;
  /** SHA-256 hex of `raw` when the caller computed it already (the mail thread does); else computed here. */
  rawSha256?: string;
  /** Full text body. */
  textBody?: string | null;
  htmlBody?: string | null;
  /** Quoted text and signature removed. */
  visibleText?: string | null;
}

/** A stored message without its raw bytes (see getRaw). */
export interface StoredMessage {
  id: number;
  ticketId: number | null;
  direction: MessageDirection;
  visibility: MessageVisibility;
  kind: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddr: string | null;
  fromName: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  dateHeader: number | null;
  receivedAt: number;
  size: number;
  rawSha256: string;
  textBody: string | null;
  htmlBody: string | null;
  visibleText: string | null;
  redactedAt: number | null;
}

export interface NewAttachment {
  messageId: number;
  content: Uint8Array;
  /** SHA-256 hex of `content` when already known (the parser computes it); else computed here. */
  sha256?: string;
  filename?: string | null;
  contentType: string;
  disposition?: string | null;
}

export interface StoredAttachment {
  id: number;
  messageId: number;
  sha256: string;
  filename: string | null;
  contentType: string;
  size: number;
  disposition: string | null;
}

export interface MessageRepository {
  /** Rewrites the stored text, HTML and visible text of a ticket's messages through `mask`; returns how many rows changed. */
  redactBodies(ticketId: number, mask: (text: string) => string): number;
  /** Stores the raw bytes in blobs and the message row; returns the row id. */
  addMessage(m: NewMessage): { id: number; rawSha256: string };
  getMessage(id: number): StoredMessage | undefined;
  /** Messages carrying this Message-ID, newest first (threading by In-Reply-To/References). */
  findByMessageId(messageId: string): StoredMessage[];
  listByTicket(ticketId: number): StoredMessage[];
  getRaw(id: number): Buffer | undefined;
  /**
   * Points one message at new raw bytes (a redacted copy) and deletes the old bytes when no other
   * message or attachment shares them: a blob another message also refers to stays as it is for
   * that message. Returns both digests, or undefined when there is no such message or nothing changes.
   */
  replaceRaw(id: number, raw: Uint8Array): { from: string; to: string } | undefined;
  addAttachment(a: NewAttachment): StoredAttachment;
  listAttachments(messageId: number): StoredAttachment[];
}

interface MessageRow {
  id: number;
  ticketId: number | null;
  direction: MessageDirection;
  visibility: MessageVisibility;
  kind: string;
  messageId: string | null;
  inReplyTo: string | null;
  referencesIds: string | null;
  fromAddr: string | null;
  fromName: string | null;
  toAddrs: string;
  ccAddrs: string;
  subject: string | null;
  dateHeader: number | null;
  receivedAt: number;
  size: number;
  rawSha256: string;
  textBody: string | null;
  htmlBody: string | null;
  visibleText: string | null;
  redactedAt: number | null;
}

const COLUMNS = `id, ticket_id AS ticketId, direction, visibility, kind, message_id AS messageId, in_reply_to AS inReplyTo,
  references_ids AS referencesIds, from_addr AS fromAddr, from_name AS fromName, to_addrs AS toAddrs, cc_addrs AS ccAddrs,
  subject, date_header AS dateHeader, received_at AS receivedAt, size, raw_sha256 AS rawSha256, text_body AS textBody,
  html_body AS htmlBody, visible_text AS visibleText, redacted_at AS redactedAt`;

const ATTACHMENT_COLUMNS = 'id, message_id AS messageId, sha256, filename, content_type AS contentType, size, disposition';

function toMessage(r: MessageRow): StoredMessage {
  const { referencesIds, toAddrs, ccAddrs, ...rest } = r;
  return {
    ...rest,
    references: referencesIds ? referencesIds.split(' ').filter(Boolean) : [],
    to: JSON.parse(toAddrs) as string[],
    cc: JSON.parse(ccAddrs) as string[],
  };
}

/** A row as inserted: everything but the generated id and the later redaction stamp. */
type InsertParams = Omit<MessageRow, 'id' | 'redactedAt'>;

export function createMessageRepository(db: Db, blobs: BlobRepository): MessageRepository {
  const insert = db.prepare<InsertParams>(`
    INSERT INTO messages (ticket_id, direction, visibility, kind, message_id, in_reply_to, references_ids, from_addr, from_name,
                          to_addrs, cc_addrs, subject, date_header, received_at, size, raw_sha256, text_body, html_body, visible_text)
    VALUES (@ticketId, @direction, @visibility, @kind, @messageId, @inReplyTo, @referencesIds, @fromAddr, @fromName,
            @toAddrs, @ccAddrs, @subject, @dateHeader, @receivedAt, @size, @rawSha256, @textBody, @htmlBody, @visibleText)`);
  const byId = db.prepare<[number], MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE id = ?`);
  const byMessageId = db.prepare<[string], MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE message_id = ? ORDER BY id DESC`);
  const byTicket = db.prepare<[number], MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE ticket_id = ? ORDER BY id`);
  const bodiesOf = db.prepare<[number], { id: number; textBody: string | null; htmlBody: string | null; visibleText: string | null }>(
    'SELECT id, text_body AS textBody, html_body AS htmlBody, visible_text AS visibleText FROM messages WHERE ticket_id = ? ORDER BY id',
  );
  const updBodies = db.prepare<[string | null, string | null, string | null, number]>('UPDATE messages SET text_body = ?, html_body = ?, visible_text = ? WHERE id = ?');
  const updRaw = db.prepare<[string, number, number]>('UPDATE messages SET raw_sha256 = ?, size = ? WHERE id = ?');
  const rawOf = db.prepare<[number], Buffer>('SELECT b.data FROM messages m JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE m.id = ?').pluck();
  const insertAttachment = db.prepare<[number, string, string | null, string, number, string | null], StoredAttachment>(`
    INSERT INTO attachments (message_id, sha256, filename, content_type, size, disposition) VALUES (?, ?, ?, ?, ?, ?)
    RETURNING ${ATTACHMENT_COLUMNS}`);
  const attachmentsOf = db.prepare<[number], StoredAttachment>(`SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE message_id = ? ORDER BY id`);

  const add = db.transaction((m: NewMessage) => {
    const blob = blobs.put(m.raw, m.rawSha256);
    const info = insert.run({
      ticketId: m.ticketId,
      direction: m.direction,
      visibility: m.visibility ?? 'public',
      kind: m.kind,
      messageId: m.messageId ?? null,
      inReplyTo: m.inReplyTo ?? null,
      referencesIds: m.references && m.references.length ? m.references.join(' ') : null,
      fromAddr: m.fromAddr ?? null,
      fromName: m.fromName ?? null,
      toAddrs: JSON.stringify(m.to ?? []),
      ccAddrs: JSON.stringify(m.cc ?? []),
      subject: m.subject ?? null,
      dateHeader: m.dateHeader ?? null,
      receivedAt: m.receivedAt,
      size: blob.size,
      rawSha256: blob.sha256,
      textBody: m.textBody ?? null,
      htmlBody: m.htmlBody ?? null,
      visibleText: m.visibleText ?? null,
    });
    return { id: Number(info.lastInsertRowid), rawSha256: blob.sha256 };
  });

  const replace = db.transaction((id: number, raw: Uint8Array): { from: string; to: string } | undefined => {
    const from = byId.get(id)?.rawSha256;
    if (from === undefined) return undefined;
    const blob = blobs.put(raw);
    if (blob.sha256 === from) return undefined;
    updRaw.run(blob.sha256, blob.size, id);
    blobs.deleteIfUnreferenced(from);
    return { from, to: blob.sha256 };
  });

  const attach = db.transaction((a: NewAttachment): StoredAttachment => {
    const blob = blobs.put(a.content, a.sha256);
    const row = insertAttachment.get(a.messageId, blob.sha256, a.filename ?? null, a.contentType, blob.size, a.disposition ?? null);
    if (!row) throw new Error('attachment insert returned no row');
    return row;
  });

  return {
    redactBodies(ticketId, mask) {
      let changed = 0;
      const m = (v: string | null): string | null => (v === null ? null : mask(v));
      for (const r of bodiesOf.all(ticketId)) {
        const next = [m(r.textBody), m(r.htmlBody), m(r.visibleText)] as const;
        if (next[0] === r.textBody && next[1] === r.htmlBody && next[2] === r.visibleText) continue;
        updBodies.run(next[0], next[1], next[2], r.id);
        changed += 1;
      }
      return changed;
    },
    addMessage: (m) => add(m),
    getMessage(id) {
      const r = byId.get(id);
      return r ? toMessage(r) : undefined;
    },
    findByMessageId: (messageId) => byMessageId.all(messageId).map(toMessage),
    listByTicket: (ticketId) => byTicket.all(ticketId).map(toMessage),
    getRaw: (id) => rawOf.get(id),
    replaceRaw: (id, raw) => replace(id, raw),
    addAttachment: (a) => attach(a),
    listAttachments: (messageId) => attachmentsOf.all(messageId),
  };
}
