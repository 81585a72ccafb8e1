import type { Language } from '../calendar/describe-hours.js';

/**
 * The language to answer a client in: the message's own when it is clear, else the licence's,
 * else the desk's default. A client who writes in Russian under a licence registered in English
 * reads Russian; a two-line "Hi, ошибка 500" says nothing and the licence decides.
 *
 * Clear means enough letters to judge (a subject and a number are not a language) and one script
 * well ahead of the other: a Russian name in an English mail, or an English error message pasted
 * into a Russian one, does not switch it, while a text split between both is not clear. Letters
 * are counted rather than found, in the subject and the first 2000 characters of the text.
 */
export function answerLanguage(subject: string, text: string, licenceLanguage: Language | undefined, fallback: Language): Language {
  return clearLanguage(subject, text) ?? licenceLanguage ?? fallback;
}

/** Fewer letters than this (subject and text together) is too short to judge. */
const MIN_CLEAR_LETTERS = 20;
/** One script needs at least this many times the other's letters for the text to count as written in it. */
const CLEAR_RATIO = 2;
const MAX_TEXT_CHARS = 2000;

/** The message's language when it is clear (see answerLanguage), else undefined. */
export function clearLanguage(subject: string, text: string): Language | undefined {
  const head = countLetters(subject);
  const body = countLetters(text, MAX_TEXT_CHARS);
  const cyrillic = head.cyrillic + body.cyrillic;
  const latin = head.latin + body.latin;
  if (cyrillic + latin < MIN_CLEAR_LETTERS) return undefined;
  if (cyrillic >= latin * CLEAR_RATIO) return 'ru';
  if (latin >= cyrillic * CLEAR_RATIO) return 'en';
  return undefined;
}

/** Cyrillic (U+0400–U+04FF) and ASCII letters in the first `limit` characters; a loop, no match arrays. */
function countLetters(s: string, limit = s.length): { cyrillic: number; latin: number } {
  let cyrillic = 0;
  let latin = 0;
  const end = Math.min(limit, s.length);
  for (let i = 0; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x0400 && ch <= 0x04ff) cyrillic += 1;
    else if ((ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)) latin += 1;
  }
  return { cyrillic, latin };
}
