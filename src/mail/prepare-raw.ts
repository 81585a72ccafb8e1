import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { parseContentType } from '../core/mail/content-type.js';
import { scanHeaderRegion, type FieldRange, type HeaderRegion } from './header-region.js';
import { detectCharset } from './unlabelled-text.js';

/**
 * What mailparser is given instead of the raw bytes, when they need repair; the raw message itself
 * is stored and hashed unchanged. Three repairs, all confined to the top-level header block:
 * - a missing empty line after the header block is inserted (see header-region.ts);
 * - raw 8-bit header fields that are not UTF-8 are re-encoded to UTF-8 (RFC 6532, which mailparser
 *   reads), from the charset the message declares for its body, else the one chardet finds;
 * - a single text/plain part without a charset gets `charset=binary`, so mailparser hands its decoded
 *   bytes over one char per byte and they can be read in the charset detected afterwards
 *   (decodeUnlabelled); its own default would already have turned them into U+FFFD.
 * Only the header block is copied; the body is passed on as a view of the raw buffer.
 */
export interface PreparedRaw {
  /** The bytes to parse, in order; `[raw]` when nothing needed repair. */
  chunks: Buffer[];
  /** The body's text came out one char per byte: decode it with decodeUnlabelled. */
  bodyCharsetUnknown: boolean;
  /** The Content-Type value as sent, when `charset=binary` was added to it (undefined: there was none). */
  sentContentType: string | undefined;
  /** The charset raw 8-bit header fields were read in, a hint for the body; undefined when none were. */
  headerCharset: string | undefined;
}

const BINARY_PARAM = Buffer.from('; charset=binary');

export function prepareRaw(raw: Buffer): PreparedRaw {
  const region = scanHeaderRegion(raw);
  if (region.fields.length === 0) return { chunks: [raw], bodyCharsetUnknown: false, sentContentType: undefined, headerCharset: undefined };
  const contentTypeField = region.fields.find((f) => fieldName(raw, f) === 'content-type');
  const sentContentType = contentTypeField === undefined ? undefined : fieldValue(raw, contentTypeField);
  const contentType = parseContentType(sentContentType);
  const encoding = fieldValueOf(raw, region, 'content-transfer-encoding')?.trim().toLowerCase() ?? '';
  // Base64 and quoted-printable bodies cannot be judged before decoding; 7bit/8bit ones are their bytes.
  const encoded = encoding === 'base64' || encoding === 'quoted-printable';
  const body = raw.subarray(region.missingBlank ? region.end : blankLineEnd(raw, region.end));
  const bodyCharsetUnknown = isTextWithoutCharset(contentType) && (encoded || !isUtf8(body));

  const eightBit = region.fields.filter((f) => hasEightBit(raw, f) && !isUtf8(raw.subarray(f.start, f.end)));
  const headerCharset = eightBit.length === 0 ? undefined : headerCharsetOf(raw, eightBit, contentType, bodyCharsetUnknown && !encoded ? body : undefined);
  const recode = headerCharset === undefined ? new Set<FieldRange>() : new Set(eightBit);

  if (!region.missingBlank && !bodyCharsetUnknown && recode.size === 0) return { chunks: [raw], bodyCharsetUnknown, sentContentType, headerCharset };
  const chunks: Buffer[] = [];
  for (const f of region.fields) {
    const bytes = raw.subarray(f.start, f.end);
    const text = recode.has(f) ? Buffer.from(iconv.decode(bytes, headerCharset!), 'utf8') : bytes;
    chunks.push(f === contentTypeField && bodyCharsetUnknown ? withParam(text) : text);
  }
  if (bodyCharsetUnknown && contentTypeField === undefined) chunks.push(Buffer.from(`Content-Type: text/plain; charset=binary${region.eol}`));
  if (region.missingBlank) chunks.push(Buffer.from(region.eol));
  chunks.push(raw.subarray(region.end));
  return { chunks, bodyCharsetUnknown, sentContentType, headerCharset };
}

/**
 * A single-part text/plain message (or one with no Content-Type, text/plain by RFC 2045) that names
 * no charset. Not HTML: mailparser derives the text from it, and that text could not be turned
 * back into the bytes.
 */
function isTextWithoutCharset(contentType: { type: string; params: Readonly<Record<string, string>> }): boolean {
  return contentType.type === 'text/plain' && (contentType.params.charset ?? '').trim() === '';
}

/**
 * The body's declared charset when it has one (a raw 8-bit subject is nearly always written in it),
 * else what chardet makes of all 8-bit fields together, else of the unlabelled 8-bit body.
 */
function headerCharsetOf(raw: Buffer, fields: readonly FieldRange[], contentType: { params: Readonly<Record<string, string>> }, body: Buffer | undefined): string | undefined {
  const declared = contentType.params.charset?.trim().toLowerCase();
  if (declared !== undefined && declared !== '' && !/^(?:utf-?8|us-ascii|ascii|utf-?16.*|utf-?32.*)$/.test(declared) && iconv.encodingExists(declared)) return declared;
  const pooled = detectCharset(Buffer.concat(fields.map((f) => raw.subarray(f.start, f.end))));
  if (pooled !== undefined && pooled !== 'utf-8') return pooled;
  const fromBody = body === undefined ? undefined : detectCharset(body);
  return fromBody === 'utf-8' ? undefined : fromBody;
}

function withParam(field: Buffer): Buffer {
  // Before the field's final line end, so the parameter stays inside the field.
  let end = field.length;
  if (end > 0 && field[end - 1] === 0x0a) end--;
  if (end > 0 && field[end - 1] === 0x0d) end--;
  return Buffer.concat([field.subarray(0, end), BINARY_PARAM, field.subarray(end)]);
}

function hasEightBit(raw: Buffer, f: FieldRange): boolean {
  for (let i = f.start; i < f.end; i++) if (raw[i]! >= 0x80) return true;
  return false;
}

function fieldName(raw: Buffer, f: FieldRange): string {
  const colon = raw.indexOf(0x3a, f.start);
  return colon < 0 || colon >= f.end ? '' : raw.toString('latin1', f.start, colon).trim().toLowerCase();
}

function fieldValue(raw: Buffer, f: FieldRange): string {
  const colon = raw.indexOf(0x3a, f.start);
  return raw.toString('latin1', colon + 1, f.end).replace(/\r?\n(?=[ \t])/g, '').trim();
}

function fieldValueOf(raw: Buffer, region: HeaderRegion, name: string): string | undefined {
  const f = region.fields.find((x) => fieldName(raw, x) === name);
  return f === undefined ? undefined : fieldValue(raw, f);
}

/** The offset after the empty line that starts at `at` (or `at` itself at the end of the input). */
function blankLineEnd(raw: Buffer, at: number): number {
  if (raw[at] === 0x0d && raw[at + 1] === 0x0a) return at + 2;
  if (raw[at] === 0x0a) return at + 1;
  return at;
}
