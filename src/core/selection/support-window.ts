import { dayNumberOfIsoDate, isoDateOfDayNumber } from '../calendar/local-date.js';

/** The dates a licence may give for its support period, as written in licences.yaml. */
export interface SupportDates {
  /** First day of support (purchase, registration, start of a trial), YYYY-MM-DD. */
  readonly support_from?: string | undefined;
  /** Last day of support, YYYY-MM-DD, inclusive. */
  readonly support_until?: string | undefined;
}

/**
 * A licence's last supported day, inclusive. A written support_until ends support; a licence type
 * with a support window (seed 001 table 2.6: non-commercial support lasts 30 days) also ends it
 * `windowDays` after support_from, support_from being day 1. With both, the earlier day wins: a
 * window can shorten a written date but never extend it. Undefined when nothing ends support or
 * support_from is not a calendar date; config validation reports both.
 */
export function lastSupportedDay(dates: SupportDates, windowDays: number | undefined): string | undefined {
  const from = dates.support_from === undefined ? undefined : dayNumberOfIsoDate(dates.support_from);
  const windowEnd = windowDays === undefined || from === undefined ? undefined : isoDateOfDayNumber(from + windowDays - 1);
  if (dates.support_until === undefined) return windowEnd;
  if (windowEnd === undefined) return dates.support_until;
  // ISO dates sort as they read.
  return windowEnd < dates.support_until ? windowEnd : dates.support_until;
}
