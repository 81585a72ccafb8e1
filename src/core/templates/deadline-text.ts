import { DateTime } from 'luxon';
import type { Language } from '../calendar/describe-hours.js';

/**
 * "Wednesday 25 November 2026, 16:00 (Europe/Berlin, UTC+01:00)": a deadline as people read it, in
 * the level's zone. MMMM, not LLLL: Russian needs the month in the genitive after a day ("25 ноября").
 */
export function deadlineText(ms: number, zone: string, lang: Language): string {
  const dt = DateTime.fromMillis(ms, { zone }).setLocale(lang === 'ru' ? 'ru' : 'en-GB');
  return `${dt.toFormat('cccc d MMMM yyyy, HH:mm')} (${zone}, UTC${dt.toFormat('ZZ')})`;
}
