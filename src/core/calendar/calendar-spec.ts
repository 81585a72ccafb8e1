import type { TimeRange } from './time-range.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday first, matching ISO weekday numbers 1..7 at index + 1. */
export const WEEKDAYS: readonly Weekday[] = Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const);

/**
 * A calendar as configured, before compilation. Dates are local dates in `zone`, 'YYYY-MM-DD'.
 *
 * Precedence for a date: explicit holiday -> closed; else an extraWorking or shortened entry -> its
 * intervals; else a public holiday -> closed; else the weekly schedule. Explicit entries beat the
 * library because official transfers (e.g. Russian ones) are decreed yearly and the library lags.
 */
export interface CalendarSpec {
  key: string;
  /** IANA zone, already validated by config. */
  zone: string;
  week: Partial<Record<Weekday, TimeRange[]>>;
  /** 'YYYY-MM-DD' -> name; never worked, whatever else says. */
  holidays: ReadonlyMap<string, string>;
  /** From date-holidays, type 'public' only. */
  publicHolidays?: { country: string; state?: string; region?: string };
  /** E.g. a Russian transferred Saturday, with its intervals. */
  extraWorking: ReadonlyMap<string, TimeRange[]>;
  /** E.g. a pre-holiday day ending an hour early. */
  shortened: ReadonlyMap<string, TimeRange[]>;
}
