import { Readable } from 'node:stream';
import libmime from 'libmime';
import type { AddressObject, Attachment, EmailAddress, HeaderLines, MailParserOptions } from 'mailparser';
import { extractAddress } from '../core/mail/address.js';
import { parseContentType } from '../core/mail/content-type.js';
import {
  failedRecipientsFromHeaders,
  originalMessageIdFromHeaders,
  originalMessageIdFromText,
  parseDeliveryStatus,
  type DeliveryStatusReport,
} from '../core/mail/delivery-status.js';
import type { HeaderField } from '../core/mail/header-block.js';
import { firstHeader, hasHeader, headerValues, type MailHeaders } from '../core/mail/mail-headers.js';
import { firstMessageId, parseMessageIdList } from '../core/mail/message-id-list.js';
import { TidingsError } from '../errors.js';
import { sha256Hex } from '../store/blob-repository.js';
import { decodeValue, hasHeaderField, headerRecord, traceFields } from './header-record.js';
import { messageDigests, type MessageDigests } from './message-digests.js';
import { prepareRaw, type PreparedRaw } from './prepare-raw.js';
import { runMailparser, type MailparserResult } from './run-mailparser.js';
import { decodeUnlabelled } from './unlabelled-text.js';
import { extractUuencoded } from './uuencoded.js';
import { visibleText } from './visible-text.js';

export interface ParsedAddress {
  /** Lower case. */
  address: string;
  /** Decoded display name; '' when there is none. */
  name: string;
}

export interface ParsedAttachment {
  filename: string | undefined;
  contentType: string;
  content: Buffer;
  size: number;
  disposition: 'attachment' | 'inline';
  /** Hex SHA-256 of the decoded content: the key it is stored under. */
  sha256: string;
  /** Without angle brackets, for cid: links in the HTML. */
  contentId: string | undefined;
}

/** One inbound message, normalized to plain data. Ids are without angle brackets. */
export interface ParsedMessage {
  /** Bytes of the raw message. */
  size: number;
  /** SHA-256 of the raw bytes and of the body, for the raw blob and the dedupe keys. */
  digests: MessageDigests;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  /** Oldest first, as in the header. */
  references: string[];
  from: ParsedAddress | undefined;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  /** The first Reply-To address. */
  replyTo: ParsedAddress | undefined;
  /** Decoded; '' when there is none. */
  subject: string;
  /** Epoch ms of the Date header; undefined when missing or unparseable. */
  date: number | undefined;
  /** Plain text (generated from the HTML when there is no text part); '' when there is no body. */
  text: string;
  html: string | undefined;
  /** What the sender wrote: quoted text and signature removed; the whole text when that leaves nothing. */
  visibleText: string;
  /** Top-level header fields: lower-case name to decoded values, for classification. */
  headers: Record<string, string[]>;
  /** Received and Authentication-Results in message order, top first (`headers` keeps the order per name only). */
  trace: HeaderField[];
  /** Every non-body part, including the report parts of a bounce. */
  attachments: ParsedAttachment[];
  /**
   * The delivery report of a bounce: from its message/delivery-status part, else (broken or
   * non-standard bounces) from report fields in the body or X-Failed-Recipients. Undefined for
   * messages that are none of these.
   */
  deliveryStatus: DeliveryStatusReport | undefined;
  /** A message/delivery-status (or global-delivery-status) part was found: pass to classifyMessage as hasDeliveryStatus. */
  hasDeliveryStatusPart: boolean;
  /**
   * The Message-ID of the message a bounce returns (its returned headers part, else a Message-ID
   * line quoted in the text). Only meaningful for bounces; verify it before trusting it.
   */
  returnedMessageId: string | undefined;
  /** Return-Path: '' for the null path <>, undefined when absent. */
  returnPath: string | undefined;
}

export interface ParseOptions {
  /** Larger messages are refused before parsing (E_MESSAGE_TOO_LARGE). */
  maxBytes: number;
}

/** parseMessage's shape; the daemon passes one that runs on the mail thread. */
export type ParseFn = (raw: Buffer, options: ParseOptions) => Promise<ParsedMessage>;

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_HEADERS_TYPES = new Set(['text/rfc822-headers', 'message/rfc822', 'message/global', 'message/global-headers']);

const PARSER_OPTIONS: MailParserOptions & { ignoreEmbedded: boolean; keepCidLinks: true } = {
  // Report parts as attachments, not glued to the text: we parse them ourselves.
  keepDeliveryStatus: true,
  // An attached message stays one opaque part, so a bounce's returned message (headers included)
  // reaches us whole whatever its Content-Disposition says.
  ignoreEmbedded: true,
  // We store the HTML as sent; turning cid: links into data: URIs would copy every inline image into it.
  keepCidLinks: true,
  skipTextToHtml: true,
  checksumAlgo: 'sha256',
};

/**
 * Parses raw message bytes. Throws TidingsError E_MESSAGE_TOO_LARGE (details: size, limit) before
 * reading anything when the message exceeds `maxBytes`, and E_MESSAGE_UNPARSEABLE when mailparser
 * fails or the input has no header field at all.
 */
export async function parseMessage(raw: Buffer, options: ParseOptions): Promise<ParsedMessage> {
  const size = raw.length;
  if (size > options.maxBytes) {
    throw new TidingsError('E_MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds the limit of ${options.maxBytes}`, {
      details: { size, limit: options.maxBytes },
    });
  }
  let run: MailparserResult;
  const prepared = prepareRaw(raw);
  try {
    run = await runMailparser(prepared.chunks.length === 1 ? prepared.chunks[0]! : Readable.from(prepared.chunks), PARSER_OPTIONS);
  } catch (err) {
    throw new TidingsError('E_MESSAGE_UNPARSEABLE', `message could not be parsed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      details: { size },
    });
  }
  const { mail } = run;
  const lines = Array.isArray(mail.headerLines) ? mail.headerLines : [];
  if (!hasHeaderField(lines)) {
    throw new TidingsError('E_MESSAGE_UNPARSEABLE', 'message has no header fields', { details: { size } });
  }
  try {
    return normalize(run, lines, raw, prepared);
  } catch (err) {
    // mailparser hands back shapes its types do not promise on broken input; whatever slips past
    // the checks in normalize() must quarantine the message, not stop the daemon.
    throw new TidingsError('E_MESSAGE_UNPARSEABLE', `message could not be normalized: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
      details: { size },
    });
  }
}

function normalize({ mail, namedTextParts }: MailparserResult, lines: HeaderLines, raw: Buffer, prepared: PreparedRaw): ParsedMessage {
  const size = raw.length;
  const headers = headerRecord(lines);
  // With charset=binary (prepareRaw) every char is one byte of the body; read them in the detected charset.
  const bodyText = (parsed: string): string => (prepared.bodyCharsetUnknown ? decodeUnlabelled(Buffer.from(parsed, 'latin1'), prepared.headerCharset) : parsed);
  if (prepared.bodyCharsetUnknown) {
    // The record shows the field as sent, not the charset=binary added for the parse.
    if (prepared.sentContentType === undefined) delete headers['content-type'];
    else headers['content-type'] = [decodeValue(prepared.sentContentType)];
  }
  const uuencoded = extractUuencoded(bodyText(typeof mail.text === 'string' ? mail.text : ''));
  const text = uuencoded.text;
  const html = typeof mail.html === 'string' && mail.html !== '' ? mail.html : undefined;
  const attachments = [
    ...(Array.isArray(mail.attachments) ? mail.attachments : []).map(toAttachment),
    ...namedTextParts.map((p) => textAttachment(p.filename, p.contentType, Buffer.from(bodyText(p.text), 'utf8'), 'inline')),
    ...uuencoded.files.map((f) => textAttachment(f.filename, libmime.detectMimeType(f.filename), f.content, 'attachment')),
  ];
  const returnPathHeader = firstHeader(headers, 'return-path');
  const dateHeader = firstHeader(headers, 'date');
  // Date.parse reads almost anything ("1" is the year 2001, in the local zone); a real Date has a time of day.
  const date = dateHeader === undefined || !/\d:\d\d/.test(dateHeader) ? undefined : Date.parse(dateHeader);
  const rawBody = (): string => bodyOf(raw);
  const deliveryStatus = deliveryStatusOf(attachments, headers, text, rawBody);
  return {
    size,
    digests: messageDigests(raw),
    messageId: firstMessageId(firstHeader(headers, 'message-id')),
    inReplyTo: firstMessageId(firstHeader(headers, 'in-reply-to')),
    references: [...new Set(headerValues(headers, 'references').flatMap(parseMessageIdList))],
    from: addresses(mail.from)[0],
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo)[0],
    subject: typeof mail.subject === 'string' ? mail.subject : '',
    date: date !== undefined && Number.isFinite(date) ? date : undefined,
    text,
    html,
    visibleText: visibleText(text),
    headers,
    trace: traceFields(lines),
    attachments,
    deliveryStatus,
    hasDeliveryStatusPart: attachments.some((a) => DELIVERY_STATUS_TYPES.has(a.contentType)),
    returnedMessageId: returnedMessageIdOf(attachments, deliveryStatus === undefined ? [text] : [text, rawBody()]),
    returnPath: returnPathHeader === undefined ? undefined : extractAddress(returnPathHeader),
  };
}

// mailparser's attachment fields are not always what its types say: an empty Content-Type header,
// for one, leaves contentType a non-string. Every field is checked before use.
function toAttachment(a: Attachment): ParsedAttachment {
  const given = Buffer.isBuffer(a.content) ? a.content : undefined;
  // mailparser does not know Content-Transfer-Encoding: x-uuencode and hands the encoded text over.
  const uudecoded = given !== undefined && isUuencodedPart(a) ? extractUuencoded(given.toString('latin1')).files[0]?.content : undefined;
  const content = uudecoded ?? given ?? Buffer.alloc(0);
  const contentType = text(a.contentType)?.trim().toLowerCase();
  const cid = text(a.cid) ?? text(a.contentId)?.replace(/^<|>$/g, '');
  const checksum = text(a.checksum);
  return {
    filename: text(a.filename),
    contentType: contentType !== undefined && contentType !== '' ? contentType : 'application/octet-stream',
    content,
    size: content.length,
    disposition: text(a.contentDisposition)?.toLowerCase() === 'inline' ? 'inline' : 'attachment',
    // mailparser's checksum is of the content it decoded; when that content is not what we keep, hash what we keep.
    sha256: content === given && checksum !== undefined && /^[0-9a-f]{64}$/.test(checksum) ? checksum : sha256Hex(content),
    contentId: cid === '' ? undefined : cid,
  };
}

function isUuencodedPart(a: Attachment): boolean {
  const encoding: unknown = a.headers instanceof Map ? a.headers.get('content-transfer-encoding') : undefined;
  return typeof encoding === 'string' && /^(?:x-)?uu(?:encode|e)?$/i.test(encoding.trim());
}

/** An attachment tidings found where mailparser saw text: a named inline text part (its text as UTF-8), a uuencoded file. */
function textAttachment(filename: string, contentType: string, content: Buffer, disposition: 'attachment' | 'inline'): ParsedAttachment {
  return { filename, contentType, content, size: content.length, disposition, sha256: sha256Hex(content), contentId: undefined };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function addresses(value: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  const visit = (list: readonly EmailAddress[]): void => {
    for (const entry of list) {
      if (Array.isArray(entry.group)) visit(entry.group);
      const address = text(entry.address)?.trim().toLowerCase();
      if (address !== undefined && address.includes('@')) out.push({ address, name: text(entry.name) ?? '' });
    }
  };
  for (const object of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    if (Array.isArray(object?.value)) visit(object.value);
  }
  return out;
}

/**
 * The report of a bounce: from its delivery-status part(s). When a message declares itself a
 * delivery report but that part is missing, empty or lost in broken MIME (with no boundary that
 * matches, the whole body is multipart preamble and mailparser gives no text at all), the report
 * fields are looked for in the text, then in the raw body, and last the
 * recipients of exim's X-Failed-Recipients are used (never marked permanent: the header does not
 * say). Undefined for messages that are neither delivery reports nor carry X-Failed-Recipients.
 */
function deliveryStatusOf(
  attachments: readonly ParsedAttachment[],
  headers: MailHeaders,
  text: string,
  rawBody: () => string,
): DeliveryStatusReport | undefined {
  let report: DeliveryStatusReport | undefined;
  for (const part of attachments) {
    if (!DELIVERY_STATUS_TYPES.has(part.contentType)) continue;
    const parsed = parseDeliveryStatus(part.content.toString('utf8'));
    if (report === undefined) {
      report = parsed;
    } else {
      report.recipients.push(...parsed.recipients);
    }
  }
  const contentType = parseContentType(firstHeader(headers, 'content-type'));
  const declared = contentType.type === 'multipart/report' && /^(?:global-)?delivery-status$/i.test(contentType.params['report-type'] ?? '');
  if (!declared && report === undefined && !hasHeader(headers, 'x-failed-recipients')) return undefined;
  if (report === undefined || report.recipients.length === 0) {
    for (const candidate of [text, rawBody()]) {
      const fromText = parseDeliveryStatus(candidate);
      if (fromText.recipients.length > 0) return { ...report, ...fromText };
    }
    const failed = failedRecipientsFromHeaders(headers);
    report ??= { recipients: [] };
    for (const address of failed) report.recipients.push({ address, finalRecipient: address, action: 'failed', isPermanent: false });
  }
  return report;
}

function returnedMessageIdOf(attachments: readonly ParsedAttachment[], texts: readonly string[]): string | undefined {
  for (const part of attachments) {
    if (!RETURNED_HEADERS_TYPES.has(part.contentType)) continue;
    const id = originalMessageIdFromHeaders(part.content.toString('utf8'));
    if (id !== undefined) return id;
  }
  for (const text of texts) {
    const id = originalMessageIdFromText(text);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Everything after the top-level header block, as text; only read for broken delivery reports. */
function bodyOf(raw: Buffer): string {
  const text = raw.toString('utf8');
  const m = /\r?\n\r?\n/.exec(text);
  return m === null ? '' : text.slice(m.index + m[0].length);
}
