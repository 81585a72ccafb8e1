import { describe, expect, it } from 'vitest';
import { addWorkingTime } from '../../../src/core/calendar/add-working-time.js';
import type { CalendarSpec } from '../../../src/core/calendar/calendar-spec.js';
import { computeDeadline, thresholdInstant } from '../../../src/core/calendar/deadline.js';
import { parseTimeRange } from '../../../src/core/calendar/time-range.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { workingTimeBetween } from '../../../src/core/calendar/working-time-between.js';
import { berlinSpec } from './fixtures.js';
import { at, expectCode } from './helpers.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

const berlin = compileCalendar(berlinSpec, holidayLibrary);
const empty: CalendarSpec = { key: 'empty', zone: 'Europe/Berlin', week: {}, holidays: new Map(), extraWorking: new Map(), shortened: new Map() };

describe('calendars without working time', () => {
  it('an empty weekly schedule is E_CALENDAR_EMPTY', () => {
    expectCode(() => compileCalendar(empty, holidayLibrary), 'E_CALENDAR_EMPTY');
    expectCode(() => compileCalendar({ ...empty, week: { mon: [], sat: [] } }, holidayLibrary), 'E_CALENDAR_EMPTY');
  });

  it('an empty week is not rescued by extra working days', () => {
    expectCode(() => compileCalendar({ ...empty, extraWorking: new Map([['2026-01-03', [parseTimeRange('09:00-12:00')]]]) }, holidayLibrary), 'E_CALENDAR_EMPTY');
  });

  it('holidays covering every working day for years stop the scan with E_CALENDAR_EMPTY', () => {
    const holidays = new Map<string, string>();
    // Every Monday from 2026 to 2030 closed: the only weekly working day never comes.
    for (let ms = Date.UTC(2026, 0, 5); ms < Date.UTC(2031, 0, 1); ms += 7 * 86_400_000) {
      holidays.set(new Date(ms).toISOString().slice(0, 10), 'closed');
    }
    const cal = compileCalendar({ ...empty, week: { mon: [parseTimeRange('09:00-10:00')] }, holidays }, holidayLibrary);
    expectCode(() => addWorkingTime(at('2026-01-01T00:00:00+01:00'), 60_000, cal), 'E_CALENDAR_EMPTY');
  });
});

describe('durations', () => {
  it.each([0, -1, -3_600_000, Number.NaN, Number.POSITIVE_INFINITY])('addWorkingTime(%s) is E_DURATION_INVALID', (d) => {
    expectCode(() => addWorkingTime(at('2026-06-15T10:00:00+02:00'), d, berlin), 'E_DURATION_INVALID');
  });

  it('a response term of zero, negative or NaN minutes is E_DURATION_INVALID on every clock', () => {
    for (const clock of ['business', '24x7', 'calendar-days'] as const) {
      for (const minutes of [0, -60, Number.NaN]) {
        expectCode(() => computeDeadline(at('2026-06-15T10:00:00+02:00'), { clock, minutes }, berlin), 'E_DURATION_INVALID');
      }
    }
  });

  it('calendar days must be whole days', () => {
    expectCode(() => computeDeadline(at('2026-06-15T10:00:00+02:00'), { clock: 'calendar-days', minutes: 36 * 60 }, berlin), 'E_DURATION_INVALID');
  });

  it('a negative threshold fraction is E_DURATION_INVALID', () => {
    const s = at('2026-06-15T10:00:00+02:00');
    expectCode(() => thresholdInstant(s, s + 3_600_000, -0.5, { clock: '24x7', minutes: 60 }, undefined), 'E_DURATION_INVALID');
  });
});

describe('other misuse', () => {
  it('a business clock without a calendar is E_CALENDAR_UNKNOWN', () => {
    expectCode(() => computeDeadline(0, { clock: 'business', minutes: 60 }, undefined), 'E_CALENDAR_UNKNOWN');
  });

  it('non-finite instants are E_INSTANT_INVALID', () => {
    expectCode(() => addWorkingTime(Number.NaN, 60_000, berlin), 'E_INSTANT_INVALID');
    expectCode(() => workingTimeBetween(0, Number.POSITIVE_INFINITY, berlin), 'E_INSTANT_INVALID');
    expectCode(() => computeDeadline(Number.NaN, { clock: '24x7', minutes: 60 }, undefined), 'E_INSTANT_INVALID');
    expectCode(() => berlin.workingIntervals('yesterday', '2026-01-01'), 'E_INSTANT_INVALID');
  });

  it('an unknown zone or holiday country is E_CONFIG_INVALID', () => {
    expectCode(() => compileCalendar({ ...berlinSpec, zone: 'Europe/Atlantis' }, holidayLibrary), 'E_CONFIG_INVALID');
    expectCode(() => compileCalendar({ ...berlinSpec, publicHolidays: { country: 'XX' } }, holidayLibrary), 'E_CONFIG_INVALID');
    expectCode(() => compileCalendar({ ...berlinSpec, publicHolidays: { country: 'DE', state: 'ZZ' } }, holidayLibrary), 'E_CONFIG_INVALID');
  });

  it('public holidays without the library handed in are E_CONFIG_INVALID, explicit holidays need none', () => {
    expectCode(() => compileCalendar(berlinSpec), 'E_CONFIG_INVALID');
    const { publicHolidays: _, ...explicitOnly } = berlinSpec;
    expect(compileCalendar(explicitOnly).workingIntervals('2026-12-24', '2026-12-24')[0]!.kind).toBe('holiday');
  });
});
