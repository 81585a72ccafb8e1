import type { Language } from '../core/calendar/describe-hours.js';

const CYRILLIC = /[\u0400-\u04FF]/g;

/**
 * The language to answer in when the licence does not say: Russian when the client wrote mostly
 * Cyrillic, else the desk's default. Counting letters rather than finding one keeps a Russian
 * name in an English mail from switching the answer.
 */
export function messageLanguage(subject: string, text: string, fallback: Language): Language {
  const sample = `${subject}\n${text.slice(0, 2000)}`;
  const cyr = sample.match(CYRILLIC)?.length ?? 0;
  const latin = sample.match(/[A-Za-z]/g)?.length ?? 0;
  if (cyr > 0 && cyr >= latin) return 'ru';
  return latin > 0 ? 'en' : fallback;
}
