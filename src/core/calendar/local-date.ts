import { WEEKDAYS, type Weekday } from './calendar-spec.js';

export const DAY_MS = 86_400_000;

/**
 * A local date as an integer (days since 1970-01-01), so the day cache can be keyed and stepped
 * with plain arithmetic instead of date strings or luxon objects.
 */
export type DayNumber = number;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Undefined for anything that is not a real calendar date ('2026-02-30' included). */
export function dayNumberOfIsoDate(date: string): DayNumber | undefined {
  const m = ISO_DATE.exec(date);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC silently rolls Feb 30 into March; a round trip catches it.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

export function isoDateOfDayNumber(n: DayNumber): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function ymdOfDayNumber(n: DayNumber): { year: number; month: number; day: number } {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function weekdayOfDayNumber(n: DayNumber): Weekday {
  // Day 0 (1970-01-01) was a Thursday, index 3 in a Monday-first week.
  return WEEKDAYS[(((n + 3) % 7) + 7) % 7]!;
}
