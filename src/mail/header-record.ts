import libmime from 'libmime';
import type { HeaderLines } from 'mailparser';
import type { HeaderField } from '../core/mail/header-block.js';

// RFC 5322 field names: printable US-ASCII except the colon.
const FIELD_NAME = /^[!-9;-~]+$/;

/**
 * The top-level header fields as plain data for the pure core: lower-case name to every value in
 * message order, unfolded, encoded words decoded. Built from mailparser's raw header lines because
 * its parsed Map merges all List-* fields into one `list` entry, keeps only the last value of
 * fields such as Precedence, and replaces an unparseable Date with the current time.
 */
export function headerRecord(lines: HeaderLines): Record<string, string[]> {
  const record = Object.create(null) as Record<string, string[]>;
  for (const { name, value } of fields(lines)) (record[name] ??= []).push(value);
  return record;
}

const TRACE = new Set(['received', 'authentication-results']);

/**
 * The Received and Authentication-Results fields in message order, top first: whether a verdict
 * was written by our own server depends on which Received fields stand above it, an order the
 * per-name record cannot keep.
 */
export function traceFields(lines: HeaderLines): HeaderField[] {
  return [...fields(lines, TRACE)];
}

/** The fields of `lines` with their values decoded; with `only`, just those names (the others are not decoded). */
function* fields(lines: HeaderLines, only?: ReadonlySet<string>): Generator<HeaderField> {
  for (const { line } of lines) {
    if (typeof line !== 'string') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!FIELD_NAME.test(name) || (only !== undefined && !only.has(name))) continue;
    yield { name, value: decodeValue(line.slice(colon + 1)) };
  }
}

/** True when the lines hold at least one real header field, i.e. the input is a message at all. */
export function hasHeaderField(lines: HeaderLines): boolean {
  return lines.some(({ line }) => {
    if (typeof line !== 'string') return false;
    const colon = line.indexOf(':');
    return colon > 0 && FIELD_NAME.test(line.slice(0, colon).trim());
  });
}

/** One raw field value (a binary string, as mailsplit gives it) as it appears in the record. */
export function decodeValue(raw: string): string {
  // mailsplit hands header lines over as binary strings (one char per byte); RFC 6532 headers are UTF-8.
  const text = Buffer.from(raw, 'binary').toString('utf8').replace(/(?:\r\n|\n|\r)(?=[ \t])/g, '').trim();
  try {
    return libmime.decodeWords(text);
  } catch {
    // An encoded word in an unknown charset: the undecoded text is still better than nothing.
    return text;
  }
}
