/**
 * Parses an RFC 5322 header block (everything up to the first empty line) into plain data. Used on
 * the parts a bounce returns (text/rfc822-headers, message/rfc822) and on the field groups of a
 * delivery-status report, which share the syntax. Encoded words are not decoded: nothing read from
 * these blocks needs them.
 */
export interface HeaderField {
  /** Lower case. */
  name: string;
  value: string;
}

// RFC 5322 field names: printable US-ASCII except the colon.
const FIELD_NAME = /^[!-9;-~]+$/;

/** The fields in order; lines that are not fields (no colon, bad name) are skipped. */
export function parseHeaderFields(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | undefined;
  for (const line of text.split(/\r?\n|\r/)) {
    if (line.trim() === '') {
      if (current !== undefined || fields.length > 0) break;
      continue; // leading blank lines before the block are not its end
    }
    if (/^[ \t]/.test(line)) {
      if (current !== undefined) current.value = `${current.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!FIELD_NAME.test(name)) {
      current = undefined;
      continue;
    }
    current = { name, value: line.slice(colon + 1).trim() };
    fields.push(current);
  }
  return fields;
}

/** The same fields grouped by name, as a record without a prototype (a field may be called "__proto__"). */
export function parseHeaderBlock(text: string): Record<string, string[]> {
  const record = Object.create(null) as Record<string, string[]>;
  for (const { name, value } of parseHeaderFields(text)) (record[name] ??= []).push(value);
  return record;
}

/** Splits text into blocks separated by empty lines (the layout of a delivery-status body). */
export function splitBlocks(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => block.replace(/^(?:[ \t]*\n)+/, ''))
    .filter((block) => block.trim() !== '');
}
