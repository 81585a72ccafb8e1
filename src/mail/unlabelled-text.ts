import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';

/**
 * Text whose charset nobody declared: raw 8-bit header fields, and bodies without a charset
 * parameter (old Outlook, 1C exports, RT's russian-subject-no-content-type). Valid UTF-8 is UTF-8:
 * checked first because it is cheap and, for 8-bit text, almost never wrong. Only then is chardet
 * asked, and only its answers among the charsets such mail is really written in count; a guess
 * among all it knows would turn short Russian text into Chinese. When it has no opinion the
 * caller's hint (the charset another part of the same message was found in) decides, else the
 * bytes are read as UTF-8 as before (U+FFFD for what is not).
 */

/** chardet's names of the charsets we accept a guess for, and the iconv-lite codec each is read with. */
const CANDIDATES: ReadonlyMap<string, string> = new Map([
  ['windows-1251', 'windows-1251'],
  ['KOI8-R', 'koi8-r'],
  // Western mail without a label: browsers read ISO-8859-1 as windows-1252, its superset in practice.
  ['ISO-8859-1', 'windows-1252'],
  ['windows-1252', 'windows-1252'],
]);

// chardet's n-gram statistics settle within a few kilobytes; the rest of a large body adds only time.
const SAMPLE_BYTES = 64 * 1024;
const SPACE = Buffer.from(' ');

/** 'utf-8' for valid UTF-8 (ASCII included), else the iconv-lite codec chardet names among the candidates, else undefined. */
export function detectCharset(bytes: Buffer): string | undefined {
  if (isUtf8(bytes)) return 'utf-8';
  const sample = bytes.length > SAMPLE_BYTES ? bytes.subarray(0, SAMPLE_BYTES) : bytes;
  for (const match of chardet.analyse(eightBitWords(sample))) {
    const codec = CANDIDATES.get(match.name);
    if (codec !== undefined && match.confidence > 0) return codec;
  }
  return undefined;
}

/** The bytes as text: detectCharset, then `hint` (an iconv-lite codec), then UTF-8 with U+FFFD. */
export function decodeUnlabelled(bytes: Buffer, hint?: string): string {
  const charset = detectCharset(bytes) ?? hint;
  if (charset === undefined || charset === 'utf-8' || !iconv.encodingExists(charset)) return bytes.toString('utf8');
  return iconv.decode(bytes, charset);
}

/**
 * Only the words that carry 8-bit bytes, space separated: in a header or a mostly-English body the
 * ASCII around a Russian name outweighs it, and chardet then ties Latin-1 with windows-1251.
 */
function eightBitWords(bytes: Buffer): Buffer {
  const words: Buffer[] = [];
  let start = 0;
  let eightBit = false;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i]! : 0x20;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) {
      if (eightBit) words.push(bytes.subarray(start, i));
      start = i + 1;
      eightBit = false;
    } else if (b >= 0x80) {
      eightBit = true;
    }
  }
  return Buffer.concat(words.flatMap((w, i) => (i === 0 ? [w] : [SPACE, w])));
}
