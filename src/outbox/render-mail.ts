import { createHash } from 'node:crypto';
import MailComposer, { type MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import type { BlobRepository } from '../store/blob-repository.js';
import { permanentDeliveryError } from './delivery-error.js';
import type { OutboundAttachment, OutboundMail } from './outbound-mail.js';

/** Renders an outbox row's mail JSON to RFC 5322 bytes (renderMail over a blob store, or the mail thread). */
export type RenderFn = (mail: unknown, messageId: string) => Promise<Buffer>;

export interface RenderMailInput {
  /** An OutboundMail, checked here (an outbox row's JSON may be anything). */
  mail: unknown;
  /** Ours, without angle brackets: becomes the Message-ID header. */
  messageId: string;
  /** Attachment bytes by sha256 (the blob store). */
  blobs: Pick<BlobRepository, 'get'>;
}

/**
 * Headers the renderer owns: a value in `mail.headers` for one of these is a bug of whoever
 * enqueued the mail (it would break the Message-ID/Date guarantees or the MIME structure).
 */
const RESERVED_HEADERS = new Set(['message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition']);
/** RFC 5322 field name: printable ASCII except the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/**
 * Checks the `mail` JSON of an outbox row against OutboundMail. A row that fails can never be
 * rendered, so this throws a permanent delivery error (stage 'render') naming the bad field.
 */
export function parseOutboundMail(value: unknown): OutboundMail {
  const bad = (field: string): never => {
    throw permanentDeliveryError(`outbox mail JSON is invalid: ${field}`, { stage: 'render' });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('not an object');
  const m = value as Record<string, unknown>;
  const from = m.from as Record<string, unknown> | undefined;
  if (!from || typeof from !== 'object' || !isString(from.address) || from.address === '') bad('from.address');
  if (from?.name !== undefined && !isString(from.name)) bad('from.name');
  if (!isStringArray(m.to) || m.to.length === 0) bad('to');
  if (m.cc !== undefined && !isStringArray(m.cc)) bad('cc');
  if (m.replyTo !== undefined && !isString(m.replyTo)) bad('replyTo');
  if (!isString(m.subject)) bad('subject');
  if (!isString(m.text)) bad('text');
  if (m.html !== undefined && !isString(m.html)) bad('html');
  if (m.inReplyTo !== undefined && !isString(m.inReplyTo)) bad('inReplyTo');
  if (m.references !== undefined && !isStringArray(m.references)) bad('references');
  if (typeof m.date !== 'number' || !Number.isFinite(m.date)) bad('date');
  if (m.headers !== undefined) {
    if (m.headers === null || typeof m.headers !== 'object' || Array.isArray(m.headers)) bad('headers');
    for (const [k, v] of Object.entries(m.headers as Record<string, unknown>)) {
      if (!FIELD_NAME.test(k)) bad(`headers: "${k}" is not a header name`);
      if (RESERVED_HEADERS.has(k.toLowerCase())) bad(`headers: ${k} is set by the renderer`);
      if (!isString(v)) bad(`headers.${k}`);
    }
  }
  if (m.attachments !== undefined) {
    if (!Array.isArray(m.attachments)) bad('attachments');
    (m.attachments as unknown[]).forEach((a, i) => {
      const att = a as Record<string, unknown> | null;
      if (!att || typeof att !== 'object' || !isString(att.sha256) || !/^[0-9a-f]{64}$/.test(att.sha256)) bad(`attachments[${i}].sha256`);
      if (!isString(att?.contentType) || att.contentType === '') bad(`attachments[${i}].contentType`);
      if (att?.filename !== undefined && !isString(att.filename)) bad(`attachments[${i}].filename`);
    });
  }
  return value as OutboundMail;
}

/**
 * The multipart boundary base, derived from everything that is rendered. MailComposer draws it
 * from crypto.randomBytes unless given; fixing it makes the output a pure function of the input,
 * and hashing the content in means the content cannot contain its own boundary.
 */
function boundaryFor(mail: OutboundMail, messageId: string): string {
  return createHash('sha256').update(messageId).update('\0').update(JSON.stringify(mail)).digest('hex').slice(0, 24);
}

function attachmentFor(a: OutboundAttachment, blobs: Pick<BlobRepository, 'get'>): MailComposerAttachment {
  const content = blobs.get(a.sha256);
  if (!content) throw permanentDeliveryError(`attachment blob ${a.sha256} is missing`, { stage: 'render' });
  return {
    content,
    contentType: a.contentType,
    contentDisposition: 'attachment',
    // false stops MailComposer from inventing "attachment-1.bin"-style names.
    filename: a.filename ?? false,
  };
}

/**
 * Renders an outbox mail to RFC 5322 bytes with nodemailer's MailComposer: our Message-ID, the
 * Date fixed at enqueue, In-Reply-To/References, the extra headers (Auto-Submitted, ...), text
 * (and html) and attachments from the blob store. CRLF line ends throughout.
 *
 * Deterministic: the same input gives the same bytes (fixed date, fixed boundary, no generated
 * ids). The outbox loop still stores the bytes at the first claim and resends those, so even a
 * change of nodemailer between two attempts cannot make a retry a different mail.
 */
export async function renderMail(input: RenderMailInput): Promise<Buffer> {
  const { messageId, blobs } = input;
  const mail = parseOutboundMail(input.mail);
  if (!/^[^<>\s]+@[^<>\s]+$/.test(messageId)) throw permanentDeliveryError(`message id "${messageId}" is not id-left@id-right`, { stage: 'render' });
  const composer = new MailComposer({
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    ...(mail.cc?.length ? { cc: mail.cc } : {}),
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    messageId: `<${messageId}>`,
    date: new Date(mail.date),
    ...(mail.inReplyTo ? { inReplyTo: `<${mail.inReplyTo}>` } : {}),
    ...(mail.references?.length ? { references: mail.references.map((r) => `<${r}>`) } : {}),
    ...(mail.headers ? { headers: { ...mail.headers } } : {}),
    text: mail.text,
    ...(mail.html !== undefined ? { html: mail.html } : {}),
    ...(mail.attachments?.length ? { attachments: mail.attachments.map((a) => attachmentFor(a, blobs)) } : {}),
    baseBoundary: boundaryFor(mail, messageId),
    boundaryPrefix: '--_tidings',
    newline: 'win',
    // Content comes from the blob store only; never from a path or URL named in the JSON.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}
