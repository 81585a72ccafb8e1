import { describe } from 'vitest';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { berlinSpec } from './fixtures.js';
import { deadlineTable } from './table.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

// Berlin: CET +01:00, CEST +02:00; 2025 changes on 30 Mar and 26 Oct, 2026 on 29 Mar and 25 Oct.
describe('Berlin Mon-Fri 09:00-18:00 (seeds 000, 001)', () => {
  deadlineTable(compileCalendar(berlinSpec, holidayLibrary), [
    {
      name: 'partner 24h from a Saturday before the March DST change',
      start: '2026-03-28T10:00:00+01:00',
      response: '24h',
      clock: 'business',
      expected: '2026-04-01T15:00:00+02:00',
      why: 'Mon 30 Mar 9h (first day in CEST) + Tue 9h + Wed 09:00+6h',
    },
    {
      name: 'cloud 16h from Friday afternoon across the March DST change',
      start: '2026-03-27T16:00:00+01:00',
      response: '16h',
      clock: 'business',
      expected: '2026-03-31T14:00:00+02:00',
      why: 'Fri 16-18 2h, Mon 9h, Tue 09:00+5h',
    },
    {
      name: 'cloud 16h across the 2025 March DST change, half-hour start',
      start: '2025-03-28T17:30:00+01:00',
      response: '16h',
      clock: 'business',
      expected: '2025-04-01T15:30:00+02:00',
      why: 'Fri 0.5h, Mon 31 Mar 9h, Tue 09:00+6.5h',
    },
    {
      name: 'non-commercial cloud 32h across the October DST change',
      start: '2026-10-23T17:00:00+02:00',
      response: '32h',
      clock: 'business',
      expected: '2026-10-29T13:00:00+01:00',
      why: 'Fri 1h, Mon 26 (CET) 9h, Tue 9h, Wed 9h, Thu 09:00+4h',
    },
    {
      name: 'non-commercial 48h across Christmas and New Year with explicit closures',
      start: '2026-12-23T12:00:00+01:00',
      response: '48h',
      clock: 'business',
      expected: '2027-01-05T15:00:00+01:00',
      why: 'Wed 23 6h; 24 explicit, 25/26 public; Mon 28, Tue 29, Wed 30 27h; 31 explicit, 1 Jan public; Mon 4 Jan 9h; Tue 5 09:00+6h',
    },
    {
      name: 'partner 24h from Good Friday (public holiday)',
      start: '2026-04-03T10:00:00+02:00',
      response: '24h',
      clock: 'business',
      expected: '2026-04-09T15:00:00+02:00',
      why: 'Fri 3 Apr and Mon 6 Apr are public holidays; Tue 9h, Wed 9h, Thu 09:00+6h',
    },
    {
      name: 'non-product 72h after hours, ends exactly at 18:00',
      start: '2026-05-12T20:30:00+02:00',
      response: '72h',
      clock: 'business',
      expected: '2026-05-26T18:00:00+02:00',
      why: '8 full days: Wed 13, Fri 15, Mon 18-Fri 22, Tue 26 (Ascension 14 May, Whit Monday 25 May off); stays at 18:00',
    },
    {
      name: 'a full day from 09:00 ends at 18:00 the same day, not 09:00 next day',
      start: '2026-06-15T09:00:00+02:00',
      response: '9h',
      clock: 'business',
      expected: '2026-06-15T18:00:00+02:00',
      why: 'exactly one interval',
    },
    {
      name: 'VIP 4h 24x7 at night before the March DST change',
      start: '2026-03-29T00:30:00+01:00',
      response: '4h',
      clock: '24x7',
      expected: '2026-03-29T05:30:00+02:00',
      why: '4 real hours; 02:00 CET became 03:00 CEST on the way',
    },
    {
      name: 'VIP 4h 24x7 at night across the October DST change',
      start: '2026-10-25T00:30:00+02:00',
      response: '4h',
      clock: '24x7',
      expected: '2026-10-25T03:30:00+01:00',
      why: '4 real hours; 03:00 CEST became 02:00 CET on the way',
    },
    {
      name: 'VIP 4h 24x7 on a Sunday night ignores the calendar',
      start: '2026-06-14T23:00:00+02:00',
      response: '4h',
      clock: '24x7',
      expected: '2026-06-15T03:00:00+02:00',
      why: 'wall clock',
    },
    {
      name: 'development 14 days across the March DST change, lands on Easter Monday and stays',
      start: '2026-03-23T10:00:00+01:00',
      response: '14d',
      clock: 'calendar-days',
      expected: '2026-04-06T10:00:00+02:00',
      why: 'same local time 14 dates later (335 real hours); not moved off the holiday',
    },
    {
      name: 'development 14 days across the October DST change',
      start: '2026-10-20T10:00:00+02:00',
      response: '14d',
      clock: 'calendar-days',
      expected: '2026-11-03T10:00:00+01:00',
      why: 'same local time 14 dates later (337 real hours)',
    },
    {
      name: 'development 14 days from a Saturday night lands on a Saturday and stays',
      start: '2026-10-17T23:30:00+02:00',
      response: '14d',
      clock: 'calendar-days',
      expected: '2026-10-31T23:30:00+01:00',
      why: 'calendar days are not working days',
    },
  ]);
});
