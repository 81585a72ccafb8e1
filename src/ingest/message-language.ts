import type { Language } from '../core/calendar/describe-hours.js';

/**
 * The language to answer in when the licence does not say: Russian when the client wrote mostly
 * Cyrillic, else the desk's default. Counting letters rather than finding one keeps a Russian
 * name in an English mail from switching the answer.
 */
export function messageLanguage(subject: string, text: string, fallback: Language): Language {
  const head = countLetters(subject);
  const body = countLetters(text, 2000);
  const c = head.cyrillic + body.cyrillic;
  const l = head.latin + body.latin;
  if (c > 0 && c >= l) return 'ru';
  return l > 0 ? 'en' : fallback;
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
