import { DateTime } from 'luxon';
import type { Language } from '../calendar/describe-hours.js';
import { zonedWallClockNames } from '../calendar/zoned-wall-clock.js';

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
  let w: ReturnType<typeof zonedWallClockNames> | undefined;
  try {
    w = zonedWallClockNames(ms, zone, locale);
  } catch {
    w = undefined;
  }
  if (w === undefined || w.year < 1000 || w.year > 9999) return luxonDeadlineText(ms, zone, locale);
  return `${w.weekday} ${w.day} ${w.monthName} ${w.year}, ${pad2(w.hour)}:${pad2(w.minute)} (${zone}, UTC${offsetText(w.offsetMinutes)})`;
}

function luxonDeadlineText(ms: number, zone: string, locale: string): string {
  const dt = DateTime.fromMillis(ms, { zone, locale });
  return `${dt.toFormat('cccc d MMMM yyyy, HH:mm')} (${zone}, UTC${offsetText(dt.offset)})`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Minutes east of UTC as luxon's "ZZ": +01:00, -03:30, +00:00. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}
