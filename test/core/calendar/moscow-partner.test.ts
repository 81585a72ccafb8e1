import { describe } from 'vitest';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { moscowPartnerSpec } from './fixtures.js';
import { deadlineTable } from './table.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

// Moscow is +03:00 all year (no DST since 2014).
describe('Moscow partner Mon-Fri 07:00-16:00 (seed 003)', () => {
  deadlineTable(compileCalendar(moscowPartnerSpec, holidayLibrary), [
    {
      name: 'Friday afternoon into the transferred working Saturday',
      start: '2025-10-31T15:00:00+03:00',
      response: '8h',
      clock: 'business',
      expected: '2025-11-01T14:00:00+03:00',
      why: 'Fri 15-16 1h; Sat 1 Nov worked 07:00-15:00: 07:00+7h',
    },
    {
      name: 'from the shortened transferred Saturday across 3-4 Nov',
      start: '2025-11-01T10:00:00+03:00',
      response: '12h',
      clock: 'business',
      expected: '2025-11-05T14:00:00+03:00',
      why: 'Sat 10-15 5h; Sun; Mon 3 Nov transferred day off; Tue 4 Nov public; Wed 07:00+7h',
    },
    {
      name: 'shortened pre-holiday Friday before 8 March',
      start: '2025-03-07T13:00:00+03:00',
      response: '4h',
      clock: 'business',
      expected: '2025-03-10T09:00:00+03:00',
      why: 'Fri 7 Mar ends 15:00: 2h; Sat 8 Mar holiday (its day off moved to 13 Jun), Sun; Mon 07:00+2h',
    },
    {
      name: 'across New Year and the January holidays',
      start: '2025-12-30T12:00:00+03:00',
      response: '24h',
      clock: 'business',
      expected: '2026-01-14T09:00:00+03:00',
      why: 'Tue 12-16 4h; 31 Dec, 1-8 Jan, 9 Jan off, weekend; Mon 12 9h, Tue 13 9h, Wed 07:00+2h',
    },
    {
      name: 'Sunday night before two days off, ends exactly at 16:00',
      start: '2025-11-02T23:30:00+03:00',
      response: '9h',
      clock: 'business',
      expected: '2025-11-05T16:00:00+03:00',
      why: 'Mon 3 and Tue 4 Nov off; Wed 07:00-16:00 exactly 9h',
    },
    {
      name: 'after hours on Monday',
      start: '2025-09-15T18:45:00+03:00',
      response: '40h',
      clock: 'business',
      expected: '2025-09-22T11:00:00+03:00',
      why: 'Tue-Fri 36h; Mon 07:00+4h',
    },
    {
      name: 'no DST in Moscow while Europe falls back',
      start: '2025-10-24T15:00:00+03:00',
      response: '2h',
      clock: 'business',
      expected: '2025-10-27T08:00:00+03:00',
      why: 'Fri 1h; Mon 07:00+1h, still +03:00',
    },
    {
      name: 'from the 1 May holiday over the transferred 2 May',
      start: '2025-05-01T09:00:00+03:00',
      response: '8h',
      clock: 'business',
      expected: '2025-05-05T15:00:00+03:00',
      why: '1 May public, 2 May transferred day off, weekend; Mon 07:00+8h',
    },
    {
      name: 'before hours on 7 May (a full day: 8 May is a transferred day off, not a holiday), over 8-11 May',
      start: '2025-05-07T06:00:00+03:00',
      response: '10h',
      clock: 'business',
      expected: '2025-05-12T08:00:00+03:00',
      why: 'Wed 07-16 9h; 8 May transferred, 9 May public, weekend; Mon 07:00+1h',
    },
  ]);
});
