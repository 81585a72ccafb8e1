import { DateTime } from 'luxon';
import type { Language } from '../calendar/describe-hours.js';

/**
 * "Wednesday 25 November 2026, 16:00 (Europe/Berlin, UTC+01:00)": a deadline as people read it, in
 * the level's zone. MMMM, not LLLL: Russian needs the month in the genitive after a day ("25 ноября").
 * The offset is written from the DateTime's own offset rather than a second format pass: this runs
 * twice for every new ticket (acknowledgement and staff notification).
 */
export function deadlineText(ms: number, zone: string, lang: Language): string {
  const dt = DateTime.fromMillis(ms, { zone, locale: lang === 'ru' ? 'ru' : 'en-GB' });
  return `${dt.toFormat('cccc d MMMM yyyy, HH:mm')} (${zone}, UTC${offsetText(dt.offset)})`;
}

/** Minutes east of UTC as luxon's "ZZ": +01:00, -03:30, +00:00. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
