/**
 * Calendars of the seed regulations, built by hand so the tests do not depend on config loading.
 * The lead may later replace these with the profiles shipped under config/examples/.
 */
import type { CalendarSpec } from '../../../src/core/calendar/calendar-spec.js';
import { parseTimeRange, type TimeRange } from '../../../src/core/calendar/time-range.js';

const ranges = (...texts: string[]): TimeRange[] => texts.map(parseTimeRange);

const weekdays = (day: TimeRange[]): CalendarSpec['week'] => ({ mon: day, tue: day, wed: day, thu: day, fri: day });

/** Seeds 000/001: Mon-Fri 09:00-18:00 Europe/Berlin, German public holidays, two explicit closures. */
export const berlinSpec: CalendarSpec = {
  key: 'berlin',
  zone: 'Europe/Berlin',
  week: weekdays(ranges('09:00-18:00')),
  holidays: new Map([
    ['2026-12-24', 'Heiligabend'],
    ['2026-12-31', 'Silvester'],
  ]),
  publicHolidays: { country: 'DE' },
  extraWorking: new Map(),
  shortened: new Map(),
};

/**
 * The Russian production calendar for 2025 as decreed (date-holidays knows the fixed holidays but not
 * the yearly transfers): days off moved from 4 Jan to 2 May, 23 Feb to 8 May, 8 Mar to 13 Jun,
 * 1 Nov to 3 Nov, 5 Jan to 31 Dec; for 2026 from 3 Jan to 9 Jan.
 * Saturday 1 Nov 2025 was worked, shortened by an hour as the eve of 4 Nov.
 */
const ruTransfers = new Map([
  ['2025-05-02', 'перенос выходного с 4 января'],
  ['2025-05-08', 'перенос выходного с 23 февраля'],
  ['2025-06-13', 'перенос выходного с 8 марта'],
  ['2025-11-03', 'перенос выходного с 1 ноября'],
  ['2025-12-31', 'перенос выходного с 5 января'],
  ['2026-01-09', 'перенос выходного с 3 января'],
]);
// Decree 1335 for 2025: 7 Mar, 30 Apr, 11 Jun and (worked Saturday) 1 Nov; 7 May is a full day.
const ruPreHolidayDates = ['2025-03-07', '2025-04-30', '2025-06-11'];

/** Seed 003: weekdays 07:00-16:00 Moscow time, Russian holidays, transferred Saturday, shortened days. */
export const moscowPartnerSpec: CalendarSpec = {
  key: 'moscow-partner',
  zone: 'Europe/Moscow',
  week: weekdays(ranges('07:00-16:00')),
  holidays: ruTransfers,
  publicHolidays: { country: 'RU' },
  extraWorking: new Map([['2025-11-01', ranges('07:00-15:00')]]),
  shortened: new Map(ruPreHolidayDates.map((d) => [d, ranges('07:00-15:00')])),
};

/** Seed 002: 8-hour days, Moscow 09:00-18:00 with a 13:00-14:00 break, same Russian calendar. */
export const moscow1cSpec: CalendarSpec = {
  key: 'moscow-1c',
  zone: 'Europe/Moscow',
  week: weekdays(ranges('09:00-13:00', '14:00-18:00')),
  holidays: ruTransfers,
  publicHolidays: { country: 'RU' },
  extraWorking: new Map([['2025-11-01', ranges('09:00-13:00', '14:00-17:00')]]),
  shortened: new Map(ruPreHolidayDates.map((d) => [d, ranges('09:00-13:00', '14:00-17:00')])),
};
