import { DateTime } from 'luxon';
import type { Language } from '../calendar/describe-hours.js';
import { twoDigits, zonedWallClockNames } from '../calendar/zoned-wall-clock.js';

/**
 * "Wednesday 25 November 2026, 16:00 (Europe/Berlin, UTC+01:00)": a deadline as people read it, in
 * the level's zone. The month is the form used after a day number: Russian needs the genitive
 * ("25 ноября"), as luxon's MMMM (not LLLL) gives. Runs twice for every new ticket (acknowledgement
 * and staff notification) inside the ingest transaction, so it reads the wall clock with one cached
 * Intl formatter; luxon, the reference it is tested against, writes what Intl cannot (fixed-offset
 * zones such as "UTC+3", years beyond four digits).
 */
export function deadlineText(ms: number, zone: string, lang: Language): string {
  const locale = lang === 'ru' ? 'ru' : 'en-GB';
  const w = zonedWallClockNames(ms, zone, locale);
  if (w === undefined) return luxonDeadlineText(ms, zone, locale);
  return `${w.weekday} ${w.day} ${w.monthName} ${w.year}, ${twoDigits(w.hour)}:${twoDigits(w.minute)} (${zone}, UTC${offsetText(w.offsetMinutes)})`;
}

function luxonDeadlineText(ms: number, zone: string, locale: string): string {
  const dt = DateTime.fromMillis(ms, { zone, locale });
  return `${dt.toFormat('cccc d MMMM yyyy, HH:mm')} (${zone}, UTC${offsetText(dt.offset)})`;
}

/** Minutes east of UTC as luxon's "ZZ": +01:00, -03:30, +00:00. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${twoDigits(Math.floor(abs / 60))}:${twoDigits(abs % 60)}`;
}
