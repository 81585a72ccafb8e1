/**
 * An instant's wall clock in an IANA zone, read with one cached Intl.DateTimeFormat per zone and
 * locale. luxon answers the same question but builds its offset and each token through separate
 * Intl calls; this runs twice for every new ticket (acknowledgement, staff notification) and once
 * per level selection, on the thread that commits.
 *
 * The cache holds formatters only: the answer for (instant, zone, locale) never depends on what
 * was asked before, so the functions stay pure.
 */

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0-23 */
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC at that instant. */
  offsetMinutes: number;
}

export interface WallClockNames extends WallClock {
  /** Day of the week, the locale's full name ("Wednesday", "среда"). */
  weekday: string;
  /** Month, the locale's full name in the form used after a day number ("November", "ноября"). */
  monthName: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, locale: string, names: boolean): Intl.DateTimeFormat {
  const key = `${names ? 'n' : 'd'}\u0000${locale}\u0000${zone}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: zone,
      // h23, not hour12: false, which some ICU versions answer with "24" at midnight.
      hourCycle: 'h23',
      year: 'numeric',
      month: names ? 'long' : 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      ...(names ? { weekday: 'long' as const } : {}),
      // Numbers in Latin digits whatever the locale would pick.
      numberingSystem: 'latn',
    });
    formatters.set(key, f);
  }
  return f;
}

function read(ms: number, zone: string, locale: string, names: boolean): WallClockNames {
  const out: WallClockNames = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, offsetMinutes: 0, weekday: '', monthName: '' };
  for (const p of formatter(zone, locale, names).formatToParts(ms)) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': if (names) out.monthName = p.value; else out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = p.value; break;
      default: break;
    }
  }
  return out;
}

/** Two digits, zero-padded: hours, minutes, months and days as people write them. */
export function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * The wall clock of `ms` in `zone`, or undefined where Intl does not answer plainly: a zone it
 * does not know (luxon also takes fixed offsets such as "UTC+3") or a year outside 1000-9999.
 * Callers fall back to luxon then.
 */
export function zonedWallClock(ms: number, zone: string): WallClock | undefined {
  let w: WallClockNames;
  try {
    w = read(ms, zone, 'en-US', false);
  } catch {
    return undefined;
  }
  if (w.year < 1000 || w.year > 9999) return undefined;
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const offsetMinutes = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  return { year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, offsetMinutes };
}

/** zonedWallClock plus the weekday and month names of `locale`; undefined where zonedWallClock is. */
export function zonedWallClockNames(ms: number, zone: string, locale: string): WallClockNames | undefined {
  const numeric = zonedWallClock(ms, zone);
  if (numeric === undefined) return undefined;
  const named = read(ms, zone, locale, true);
  return { ...numeric, weekday: named.weekday, monthName: named.monthName };
}
