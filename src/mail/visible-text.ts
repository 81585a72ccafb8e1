import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import EmailReplyParser from 'email-reply-parser';

// Quoted-reply detection runs a few dozen regular expressions over every line; above this size the
// text is not a reply someone typed (a log, a pasted dump) and the full text is kept as it is.
const MAX_REPLY_PARSE_CHARS = 100_000;

interface Tester {
  test(s: string): boolean;
}
interface ReplyPatterns {
  quoteHeaders: readonly Tester[];
  /** The quote headers with the m flag ("^" and "$" at every line). */
  multiLineQuoteHeaders: readonly Tester[];
  /** The others, tested line by line. */
  lineQuoteHeaders: readonly Tester[];
  signatures: readonly Tester[];
}

/**
 * email-reply-parser's own quote-header and signature patterns. They are not exported, so they
 * are loaded from the file beside its entry point; if that ever fails (a new layout), every text
 * goes through the parser as before, only slower. `replyPatternsLoaded()` lets a test notice.
 */
async function loadReplyPatterns(): Promise<ReplyPatterns | undefined> {
  try {
    const entry = createRequire(import.meta.url).resolve('email-reply-parser');
    const mod = (await import(pathToFileURL(path.join(path.dirname(entry), 'regex.js')).href)) as {
      default?: { quoteHeadersRegex?: unknown; signatureRegex?: unknown };
    };
    const q = mod.default?.quoteHeadersRegex;
    const s = mod.default?.signatureRegex;
    const isTesters = (v: unknown): v is Tester[] =>
      Array.isArray(v) && v.length > 0 && v.every((r) => typeof (r as Partial<Tester> | null)?.test === 'function');
    if (!isTesters(q) || !isTesters(s)) return undefined;
    const multiLine = (r: Tester): boolean => r instanceof RegExp && r.multiline;
    return { quoteHeaders: q, multiLineQuoteHeaders: q.filter(multiLine), lineQuoteHeaders: q.filter((r) => !multiLine(r)), signatures: s };
  } catch {
    return undefined;
  }
}

const patterns = await loadReplyPatterns();

export function replyPatternsLoaded(): boolean {
  return patterns !== undefined;
}

const QUOTE_LINE = /^\s*>/;
const TRAILING_TILDES = /~*$/;
const LEADING_NEWLINE = /^\n/;

/**
 * The parser's answer for the commonest shape of mail, computed without running it: no quoted
 * line ("> "), no quote header ("On … wrote:") anywhere, at most a signature. email-reply-parser
 * walks the lines bottom-up and closes a fragment as hidden when the line below the current one is
 * a signature line, so with no quotes and no headers the visible part is every line above the
 * topmost signature line (a signature on the very first line has no line above it and hides
 * nothing: left to the parser), each line without its trailing white space, trailing tildes
 * dropped. It rewrites the text beforehand only where a quote header matches. Its own patterns
 * decide what a signature or a header is. The shortcut matters because the parser spends about a
 * millisecond on a 2 KB message (it reverses every line character by character and tests each
 * pattern twice per line); the tests compare both answers over the corpus and random texts.
 * Returns undefined when the parser has to decide.
 */
export function plainVisibleText(text: string): string | undefined {
  if (!patterns) return undefined;
  const normalized = text.replace(/\r\n/g, '\n');
  for (const r of patterns.quoteHeaders) if (r.test(normalized)) return undefined;
  const lines = normalized.split('\n');
  const trimmedLines = lines.map((l) => l.trimEnd());
  // A multi-line pattern that matches one line matches the text of all lines too, so one test each.
  const all = trimmedLines.join('\n');
  for (const r of patterns.multiLineQuoteHeaders) if (r.test(all)) return undefined;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = trimmedLines[i]!;
    if (QUOTE_LINE.test(line)) return undefined;
    for (const r of patterns.lineQuoteHeaders) if (r.test(t)) return undefined;
    if (end === lines.length && patterns.signatures.some((r) => r.test(t) || (line !== t && r.test(line)))) {
      if (i === 0) return undefined;
      end = i;
    }
  }
  const visible = trimmedLines.slice(0, end);
  // A fragment of blank lines only is hidden like a quote.
  if (visible.every((l) => l === '')) return '';
  return visible.join('\n').replace(LEADING_NEWLINE, '').replace(TRAILING_TILDES, '');
}

/**
 * The part of a reply the sender wrote: quoted text and signature removed by email-reply-parser.
 * Falls back to the whole text when the parser leaves nothing (a message that is all quote, or a
 * layout it misreads): showing too much beats losing what the client wrote.
 */
export function visibleText(text: string): string {
  if (text.trim() === '' || text.length > MAX_REPLY_PARSE_CHARS) return text;
  let visible: string;
  try {
    visible = plainVisibleText(text) ?? parserVisibleText(text);
  } catch {
    return text;
  }
  return visible.trim() === '' ? text : visible.trim();
}

/** The parser's own answer, always (tests compare it with the shortcut). */
export function parserVisibleText(text: string): string {
  return new EmailReplyParser().read(text).getVisibleText();
}
