import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { computeDeadline } from '../../../src/core/calendar/deadline.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { moscow1cSpec } from './fixtures.js';
import { HOUR } from './helpers.js';
import { deadlineTable } from './table.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

const cal = compileCalendar(moscow1cSpec, holidayLibrary);

describe('Moscow 1C-Bitrix 09:00-13:00 + 14:00-18:00 (seed 002)', () => {
  deadlineTable(cal, [
    {
      name: 'VIP 2 working hours across the lunch break',
      start: '2025-09-15T12:30:00+03:00',
      response: '2h',
      clock: 'business',
      expected: '2025-09-15T15:30:00+03:00',
      why: '12:30-13:00 0.5h; 14:00+1.5h',
    },
    {
      name: 'partner urgent 3h sent during lunch',
      start: '2025-09-16T13:20:00+03:00',
      response: '3h',
      clock: 'business',
      expected: '2025-09-16T17:00:00+03:00',
      why: 'counts from 14:00',
    },
    {
      name: 'commercial urgent 4h from Friday 17:00',
      start: '2025-09-19T17:00:00+03:00',
      response: '4h',
      clock: 'business',
      expected: '2025-09-22T12:00:00+03:00',
      why: 'Fri 1h; Mon 09:00+3h',
    },
    {
      name: 'partner standard 5h from a Saturday',
      start: '2025-09-20T11:00:00+03:00',
      response: '5h',
      clock: 'business',
      expected: '2025-09-22T15:00:00+03:00',
      why: 'Mon 09-13 4h; 14:00+1h',
    },
    {
      name: 'commercial standard 6h before opening',
      start: '2025-09-17T08:00:00+03:00',
      response: '6h',
      clock: 'business',
      expected: '2025-09-17T16:00:00+03:00',
      why: '09-13 4h; 14:00+2h',
    },
    {
      name: 'non-commercial 24h from Monday opening: three calendar days',
      start: '2025-09-15T09:00:00+03:00',
      response: '24h',
      clock: 'business',
      expected: '2025-09-17T18:00:00+03:00',
      why: 'three 8h days, Mon-Wed; ends on the interval end',
    },
    {
      name: 'non-commercial 24h from Thursday skips the weekend',
      start: '2025-09-18T10:00:00+03:00',
      response: '24h',
      clock: 'business',
      expected: '2025-09-23T10:00:00+03:00',
      why: 'Thu 7h, Fri 8h, Mon 8h, Tue 09:00+1h',
    },
    {
      name: 'general consultation 40h: five working days',
      start: '2025-09-15T10:00:00+03:00',
      response: '40h',
      clock: 'business',
      expected: '2025-09-22T10:00:00+03:00',
      why: 'Mon 7h, Tue-Fri 32h, Mon 09:00+1h',
    },
    {
      name: '2h ending exactly at the start of lunch stays at 13:00',
      start: '2025-09-15T11:00:00+03:00',
      response: '2h',
      clock: 'business',
      expected: '2025-09-15T13:00:00+03:00',
      why: 'interval end, not 14:00',
    },
    {
      name: 'non-commercial 24h over the shortened transferred Saturday 1 Nov',
      start: '2025-10-30T14:00:00+03:00',
      response: '24h',
      clock: 'business',
      expected: '2025-11-05T15:00:00+03:00',
      why: 'Thu 4h, Fri 8h, Sat 1 Nov 7h (until 17:00), 2-4 Nov off, Wed 4h + 14:00+1h',
    },
    {
      name: 'consultation 40h across New Year',
      start: '2025-12-29T09:00:00+03:00',
      response: '40h',
      clock: 'business',
      expected: '2026-01-14T18:00:00+03:00',
      why: 'Mon 29, Tue 30 16h; 31 Dec-11 Jan off; Mon 12, Tue 13, Wed 14 24h',
    },
    {
      name: 'shortened eve of Russia Day over the transferred 13 June',
      start: '2025-06-11T15:00:00+03:00',
      response: '3h',
      clock: 'business',
      expected: '2025-06-16T10:00:00+03:00',
      why: 'Wed until 17:00 2h; 12 Jun public, 13 Jun transferred, weekend; Mon 09:00+1h',
    },
  ]);

  // The seed's own glosses: "24 working hours — up to three calendar days not counting weekends",
  // "40 — up to five". Checked for every hour of every weekday over seven ordinary weeks.
  it.each([
    { hours: 24, days: 3 },
    { hours: 40, days: 5 },
  ])('$hours working hours take at most $days calendar days, weekends aside, from any weekday hour', ({ hours, days }) => {
    let start = DateTime.fromISO('2025-09-01T00:00:00', { zone: 'Europe/Moscow' });
    const stop = DateTime.fromISO('2025-10-18T00:00:00', { zone: 'Europe/Moscow' });
    let checked = 0;
    for (; start < stop; start = start.plus({ hours: 1 })) {
      if (start.weekday > 5) continue;
      const deadline = DateTime.fromMillis(computeDeadline(start.toMillis(), { clock: 'business', minutes: hours * 60 }, cal), {
        zone: 'Europe/Moscow',
      });
      let weekendDays = 0;
      for (let d = start.startOf('day'); d < deadline.startOf('day'); d = d.plus({ days: 1 })) if (d.weekday > 5) weekendDays++;
      expect(deadline.toMillis() - start.toMillis() - weekendDays * 24 * HOUR, `${start.toISO()} -> ${deadline.toISO()}`).toBeLessThanOrEqual(
        days * 24 * HOUR,
      );
      checked++;
    }
    expect(checked).toBe(35 * 24);
  });
});
