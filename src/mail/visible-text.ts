import EmailReplyParser from 'email-reply-parser';

// Quoted-reply detection runs a few dozen regular expressions over every line; above this size the
// text is not a reply someone typed (a log, a pasted dump) and the full text is kept as it is.
const MAX_REPLY_PARSE_CHARS = 100_000;

/**
 * The part of a reply the sender wrote: quoted text and signature removed by email-reply-parser.
 * Falls back to the whole text when the parser leaves nothing (a message that is all quote, or a
 * layout it misreads): showing too much beats losing what the client wrote.
 */
export function visibleText(text: string): string {
  if (text.trim() === '' || text.length > MAX_REPLY_PARSE_CHARS) return text;
  let visible: string;
  try {
    visible = new EmailReplyParser().read(text).getVisibleText();
  } catch {
    return text;
  }
  return visible.trim() === '' ? text : visible.trim();
}
