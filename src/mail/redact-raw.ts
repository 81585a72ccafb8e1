import iconv from 'iconv-lite';
import * as base64 from 'nodemailer/lib/base64';
import * as qp from 'nodemailer/lib/qp';
import { parseHeaderBlock } from '../core/mail/header-block.js';
import { parseContentType } from '../core/mail/content-type.js';

/**
 * A raw message with the secrets in its text masked, every other byte as it was: the header blocks
 * (of the message and of each part), the boundaries, the preamble and epilogue, attachments and any
 * part that does not change stay byte for byte. A text part (text/plain or text/html that is not an
 * attachment, at any depth of multipart nesting) is decoded from its transfer
 * encoding and charset, masked, and written back in the same encoding and charset, so the message
 * still parses and says the same thing with the secret replaced. A part in a charset iconv-lite
 * does not know is left as it is rather than guessed at.
 *
 * An attached message/rfc822 counts as an attachment (the parser stores it as one, and its stored
 * copy is not rewritten either). Returns the same Buffer when nothing was masked.
 */
export function redactRaw(raw: Buffer, mask: (text: string) => string): Buffer {
  const out = redactEntity(raw, mask, 0);
  return out ?? raw;
}

// Nesting deeper than this is not mail a person wrote; it is left alone.
const MAX_DEPTH = 20;
const LINE_LENGTH = 76;

/** The entity rewritten, or undefined when nothing in it changed. */
function redactEntity(entity: Buffer, mask: (text: string) => string, depth: number): Buffer | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const split = headerEnd(entity);
  // Headers running into the end without a blank line: no body to mask.
  if (split === undefined) return undefined;
  const headers = parseHeaderBlock(entity.subarray(0, split.headerEnd).toString('latin1'));
  const contentType = parseContentType(headers['content-type']?.[0]);
  const body = entity.subarray(split.bodyStart);
  let next: Buffer | undefined;
  if (contentType.type.startsWith('multipart/')) {
    const boundary = contentType.params['boundary'];
    if (boundary !== undefined && boundary !== '') next = redactMultipart(body, boundary, mask, depth);
  } else if ((contentType.type === 'text/plain' || contentType.type === 'text/html') && !isAttachment(headers)) {
    const encoding = (headers['content-transfer-encoding']?.[0] ?? '7bit').trim().toLowerCase();
    next = redactText(body, encoding, contentType.params['charset'] ?? 'us-ascii', mask);
  }
  return next === undefined ? undefined : Buffer.concat([entity.subarray(0, split.bodyStart), next]);
}

function isAttachment(headers: Record<string, string[]>): boolean {
  return /^\s*attachment\b/i.test(headers['content-disposition']?.[0] ?? '');
}

/** Where the header block ends (before the blank line) and the body starts (after it). */
function headerEnd(entity: Buffer): { headerEnd: number; bodyStart: number } | undefined {
  // A part may start with its blank line at once (no header fields): the body begins after it.
  if (entity[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  if (entity[0] === 0x0d && entity[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  for (let i = entity.indexOf(0x0a); i !== -1; i = entity.indexOf(0x0a, i + 1)) {
    if (entity[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (entity[i + 1] === 0x0d && entity[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  return undefined;
}

/**
 * The parts between the delimiter lines ("--boundary" at a line start), each rewritten on its
 * own. The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1), so a part's
 * bytes end before it and the rebuilt body keeps every delimiter line as it was.
 */
function redactMultipart(body: Buffer, boundary: string, mask: (text: string) => string, depth: number): Buffer | undefined {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const delimiters: { start: number; lineEnd: number; close: boolean }[] = [];
  for (let i = body.indexOf(delimiter); i !== -1; i = body.indexOf(delimiter, i + delimiter.length)) {
    if (i !== 0 && body[i - 1] !== 0x0a) continue;
    const after = i + delimiter.length;
    const close = body[after] === 0x2d && body[after + 1] === 0x2d;
    const nl = body.indexOf(0x0a, after);
    // Only transport padding may follow a delimiter on its line.
    const rest = body.subarray(close ? after + 2 : after, nl === -1 ? body.length : nl).toString('latin1');
    if (!/^[ \t]*\r?$/.test(rest)) continue;
    delimiters.push({ start: i, lineEnd: nl === -1 ? body.length : nl + 1, close });
    if (close) break;
  }
  // A multipart cut short (no close delimiter, as in some bounces): its last part runs to the end.
  const last = delimiters.at(-1);
  if (last !== undefined && !last.close && last.lineEnd < body.length) delimiters.push({ start: body.length, lineEnd: body.length, close: true });
  const pieces: Buffer[] = [];
  let changed = false;
  let copied = 0;
  for (let k = 0; k + 1 < delimiters.length; k++) {
    const d = delimiters[k]!;
    if (d.close) break;
    const partStart = d.lineEnd;
    const next = delimiters[k + 1]!;
    // The CRLF (or LF) before the next delimiter is the delimiter's.
    let partEnd = next.start === body.length ? body.length : next.start - 1;
    if (next.start !== body.length && partEnd > partStart && body[partEnd - 1] === 0x0d) partEnd -= 1;
    if (partEnd < partStart) continue;
    const part = redactEntity(body.subarray(partStart, partEnd), mask, depth + 1);
    if (part === undefined) continue;
    pieces.push(body.subarray(copied, partStart), part);
    copied = partEnd;
    changed = true;
  }
  if (!changed) return undefined;
  pieces.push(body.subarray(copied));
  return Buffer.concat(pieces);
}

function redactText(body: Buffer, encoding: string, charset: string, mask: (text: string) => string): Buffer | undefined {
  const cs = charsetName(charset);
  if (cs === undefined) return undefined;
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const bytes = encoding === 'base64' ? Buffer.from(body.toString('latin1'), 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  // A part whose bytes do not survive its charset's decode and encode (stray bytes, a wrong label) is
  // masked as Latin-1, which keeps every byte: the ASCII patterns (Password:, URLs) still match.
  const decoded = iconv.decode(bytes, cs);
  const codec = iconv.encode(decoded, cs).equals(bytes) ? cs : 'latin1';
  const text = codec === cs ? decoded : bytes.toString('latin1');
  // The masking patterns work on lines ending in "\n"; a CR left in would be taken as part of a secret.
  const crlf = text.includes('\r\n');
  const lf = crlf ? text.replace(/\r\n/g, '\n') : text;
  const masked = mask(lf);
  if (masked === lf) return undefined;
  const encoded = iconv.encode(crlf ? masked.replace(/\n/g, '\r\n') : masked, codec);
  // Line breaks after the encoded text (before the next delimiter) are kept as they were.
  const trailing = /(?:\r?\n)*$/.exec(body.toString('latin1'))![0];
  const wrapped = (text: string): Buffer => Buffer.from(`${text.replace(/\r?\n/g, eol).replace(/(?:\r?\n)+$/, '')}${trailing}`, 'latin1');
  switch (encoding) {
    case 'base64':
      return wrapped(base64.wrap(base64.encode(encoded), LINE_LENGTH));
    case 'quoted-printable':
      return wrapped(qp.wrap(qp.encode(encoded), LINE_LENGTH));
    default:
      // 7bit, 8bit, binary: the text as it is, the secret replaced in place.
      return encoded;
  }
}

/** The iconv-lite name of a MIME charset; us-ascii is read as UTF-8 (mail calling itself ASCII often is not). */
function charsetName(charset: string): string | undefined {
  const c = charset.trim().toLowerCase();
  const name = c === 'us-ascii' || c === 'ascii' || c === '' ? 'utf-8' : c;
  return iconv.encodingExists(name) ? name : undefined;
}

/** RFC 2045 6.7: "=" at a line end is a soft break, "=XX" a byte; anything else is the byte itself. */
function decodeQuotedPrintable(body: Buffer): Buffer {
  const s = body.toString('latin1').replace(/[ \t]+(?=\r?\n|$)/g, '').replace(/=\r?\n/g, '');
  return Buffer.from(
    s.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
}
