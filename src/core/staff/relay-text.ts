import EmailReplyParser from 'email-reply-parser';
import { REPLY_MARKER_LINE } from './reply-marker.js';
import { cutSignOff } from './sign-off.js';

/**
 * What a staff member wrote for the client, from the text after the command block: everything from
 * our reply marker down is cut (that is the quoted notification, with internal details), then the
 * attribution line or header block the mail program put above the quote, then any remaining
 * quoted lines and the signature (email-reply-parser), and last a closing sign-off block in en, ru or
 * de ("С уважением,\nИван", see sign-off.ts). Returns '' when nothing is left: unlike
 * the client side, where showing too much beats losing words, here sending too much leaks.
 */
export function relayText(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  const marker = REPLY_MARKER_LINE.exec(t);
  if (marker !== null) t = t.slice(0, t.lastIndexOf('\n', marker.index) + 1);
  // The signature delimiter (RFC 3676 "-- "; some programs drop the space): everything below it is
  // the signature. email-reply-parser misses one that starts the text (a reply of only a signature).
  const signature = /^--[ \t]?$/m.exec(t);
  if (signature !== null) t = t.slice(0, signature.index);
  t = dropTrailingQuoteHeader(t);
  if (t.trim() === '') return '';
  let visible: string;
  try {
    visible = new EmailReplyParser().read(t).getVisibleText();
  } catch {
    // The parser failed on this text; the marker cut above has already removed our quoted mail.
    visible = t;
  }
  return cutSignOff(visible)
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

// "On Mon, 23 Nov 2026, Support <support@desk.example> wrote:", "Am ... schrieb ...:", Russian
// Gmail "пн, 23 нояб. 2026 г. в 10:00, Support <support@desk.example>:".
const ATTRIBUTION = /(?:wrote|написал(?:\(а\)|а)?|schrieb[^:\n]*|a écrit|escribió|ha scritto)\s*:\s*$|<[^<>\s]+@[^<>\s]+>\s*:\s*$/i;
// The usual starts of an attribution, to join one a mail program wrapped over two lines.
const ATTRIBUTION_START = /^\s*(?:On|Am|Le|El|Il|Em|В|\d{1,4}[./-]|[а-яё]{2},)\s/iu;
// Outlook-style header block above a quote (English, Russian, German).
const HEADER_LINE = /^\s*\*?(?:from|sent|to|cc|subject|date|от|отправлено|кому|копия|тема|дата|von|gesendet|an|betreff)\s*:\*?/i;
const FROM_LINE = /^\s*\*?(?:from|от|von)\s*:/i;
const SEPARATOR = /^\s*(?:-{2,}\s*(?:original message|исходное сообщение|ursprüngliche nachricht|forwarded message|пересылаемое сообщение)\s*-{2,}|_{8,}|-{8,})\s*$/i;

function dropTrailingQuoteHeader(text: string): string {
  const lines = text.split('\n');
  const trimBlank = (): void => {
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  };
  trimBlank();
  const last = lines[lines.length - 1];
  if (last !== undefined && ATTRIBUTION.test(last)) {
    lines.pop();
    const prev = lines[lines.length - 1];
    if (!ATTRIBUTION_START.test(last) && prev !== undefined && ATTRIBUTION_START.test(prev)) lines.pop();
  } else {
    // A header block counts only with its From line, so a reply that happens to end in "Date: Friday" stays.
    let start = lines.length;
    while (start > 0 && HEADER_LINE.test(lines[start - 1]!)) start--;
    if (start < lines.length && lines.slice(start).some((l) => FROM_LINE.test(l))) lines.length = start;
  }
  trimBlank();
  while (lines.length > 0 && SEPARATOR.test(lines[lines.length - 1]!)) {
    lines.pop();
    trimBlank();
  }
  return lines.join('\n');
}
