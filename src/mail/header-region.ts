/**
 * Where a message's top-level header block ends, and its fields, read from the raw bytes before
 * mailparser sees them. Only the header region is examined: the scan stops at the line that ends
 * it, so a large body costs nothing here.
 *
 * The block ends at the first empty line, as RFC 5322 says, or earlier at the first line that is
 * neither a field (`name:`) nor a continuation (leading white space) when the line after it is not
 * one either: a client that forgot the empty line (headers running straight into the text) would
 * otherwise have its first paragraph parsed as header lines and lost. A lone damaged line with a
 * field or continuation after it (`quite Delivered-To: ...` in real mail) stays inside the block,
 * as mailparser treats it. An mbox `From ` line before the first field is part of the block.
 */

/** One field with its continuation lines, as a byte range of the raw message (line ends included). */
export interface FieldRange {
  start: number;
  end: number;
}

export interface HeaderRegion {
  /** The fields in order, covering [0, end) without gaps; stray lines kept in the block count as fields. */
  fields: FieldRange[];
  /** Offset of the empty line, or of the body's first line when the empty line is missing, or raw.length. */
  end: number;
  /** True when the body starts at `end` without an empty line before it. */
  missingBlank: boolean;
  /** The line end the block uses, for a line inserted into it. */
  eol: '\r\n' | '\n';
}

const LF = 0x0a;
const CR = 0x0d;

type LineKind = 'field' | 'continuation' | 'empty' | 'other';

export function scanHeaderRegion(raw: Buffer): HeaderRegion {
  const fields: FieldRange[] = [];
  let eol: '\r\n' | '\n' = '\r\n';
  let pos = 0;
  let first = true;
  while (pos < raw.length) {
    const next = lineEnd(raw, pos);
    const kind = lineKind(raw, pos, next.contentEnd, first);
    if (first && next.contentEnd < next.end) eol = raw[next.contentEnd] === CR ? '\r\n' : '\n';
    first = false;
    if (kind === 'empty') return { fields, end: pos, missingBlank: false, eol };
    if (kind === 'other') {
      // Text before any field: not a message this can repair; mailparser judges it as it is.
      if (fields.length === 0) return { fields, end: 0, missingBlank: false, eol };
      const after = next.end < raw.length ? lineKind(raw, next.end, lineEnd(raw, next.end).contentEnd, false) : 'empty';
      if (after !== 'field' && after !== 'continuation') return { fields, end: pos, missingBlank: true, eol };
    }
    const last = fields[fields.length - 1];
    if (kind === 'continuation' && last !== undefined) last.end = next.end;
    else fields.push({ start: pos, end: next.end });
    pos = next.end;
  }
  return { fields, end: raw.length, missingBlank: false, eol };
}

function lineEnd(raw: Buffer, start: number): { contentEnd: number; end: number } {
  const lf = raw.indexOf(LF, start);
  if (lf < 0) return { contentEnd: raw.length, end: raw.length };
  return { contentEnd: lf > start && raw[lf - 1] === CR ? lf - 1 : lf, end: lf + 1 };
}

function lineKind(raw: Buffer, start: number, end: number, first: boolean): LineKind {
  if (start === end) return 'empty';
  const c = raw[start]!;
  if (c === 0x20 || c === 0x09) return 'continuation';
  // RFC 5322 field name (printable ASCII but the colon), then obsolete white space before the colon.
  let i = start;
  while (i < end && raw[i]! >= 0x21 && raw[i]! <= 0x7e && raw[i] !== 0x3a) i++;
  if (i === start) return 'other';
  while (i < end && (raw[i] === 0x20 || raw[i] === 0x09)) i++;
  if (i < end && raw[i] === 0x3a) return 'field';
  return first && raw.subarray(start, start + 5).toString('latin1') === 'From ' ? 'field' : 'other';
}
