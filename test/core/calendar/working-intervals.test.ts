import { describe, expect, it } from 'vitest';
import { parseTimeRange } from '../../../src/core/calendar/time-range.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { addWorkingTime } from '../../../src/core/calendar/add-working-time.js';
import { workingTimeBetween } from '../../../src/core/calendar/working-time-between.js';
import { berlinSpec, moscowPartnerSpec } from './fixtures.js';
import { at, HOUR, local } from './helpers.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

const berlin = compileCalendar(berlinSpec, holidayLibrary);
const moscow = compileCalendar(moscowPartnerSpec, holidayLibrary);

const summary = (cal: typeof berlin, from: string, to: string) =>
  cal.workingIntervals(from, to).map((d) => [d.date, d.weekday, d.kind, d.name ?? '', d.intervals.map((i) => `${i.start}/${i.end}`).join(' ')]);

describe('workingIntervals', () => {
  it('shows the March DST weekend in UTC, local hours unchanged', () => {
    expect(summary(berlin, '2026-03-27', '2026-03-30')).toEqual([
      ['2026-03-27', 'fri', 'weekly', '', '2026-03-27T08:00:00.000Z/2026-03-27T17:00:00.000Z'],
      ['2026-03-28', 'sat', 'weekly', '', ''],
      ['2026-03-29', 'sun', 'weekly', '', ''],
      ['2026-03-30', 'mon', 'weekly', '', '2026-03-30T07:00:00.000Z/2026-03-30T16:00:00.000Z'],
    ]);
  });

  it('names explicit and public holidays', () => {
    expect(summary(berlin, '2026-12-24', '2026-12-25')).toEqual([
      ['2026-12-24', 'thu', 'holiday', 'Heiligabend', ''],
      ['2026-12-25', 'fri', 'public-holiday', '1. Weihnachtstag', ''],
    ]);
  });

  it('marks the transferred Saturday, its day off and a shortened day (Moscow)', () => {
    expect(summary(moscow, '2025-11-01', '2025-11-04')).toEqual([
      ['2025-11-01', 'sat', 'extra-working', '', '2025-11-01T04:00:00.000Z/2025-11-01T12:00:00.000Z'],
      ['2025-11-02', 'sun', 'weekly', '', ''],
      ['2025-11-03', 'mon', 'holiday', 'перенос выходного с 1 ноября', ''],
      ['2025-11-04', 'tue', 'public-holiday', 'День народного единства', ''],
    ]);
    expect(summary(moscow, '2025-06-11', '2025-06-11')).toEqual([
      ['2025-06-11', 'wed', 'shortened', '', '2025-06-11T04:00:00.000Z/2025-06-11T12:00:00.000Z'],
    ]);
  });

  it('expands a multi-day public holiday entry (Russian New Year break)', () => {
    const kinds = moscow.workingIntervals('2026-01-01', '2026-01-12').map((d) => `${d.date.slice(8)}:${d.kind}`);
    expect(kinds).toEqual([
      '01:public-holiday', '02:public-holiday', '03:public-holiday', '04:public-holiday', '05:public-holiday',
      '06:public-holiday', '07:public-holiday', '08:public-holiday', '09:holiday', '10:weekly', '11:weekly', '12:weekly',
    ]);
  });

  it('accepts instants with offsets and takes their local dates', () => {
    // 23:30 UTC on 27 Mar is already 28 Mar in Berlin.
    expect(berlin.workingIntervals('2026-03-27T23:30:00Z', '2026-03-28T12:00:00+01:00').map((d) => d.date)).toEqual(['2026-03-28']);
  });

  it('knows local days are 23 and 25 hours long on DST Sundays', () => {
    const spring = berlin.dayAt(at('2026-03-29T12:00:00+02:00'));
    const autumn = berlin.dayAt(at('2026-10-25T12:00:00+01:00'));
    expect([spring.date, spring.endMs - spring.startMs]).toEqual(['2026-03-29', 23 * HOUR]);
    expect([autumn.date, autumn.endMs - autumn.startMs]).toEqual(['2026-10-25', 25 * HOUR]);
    expect(berlin.dayAt(at('2026-03-29T00:00:00+01:00')).date).toBe('2026-03-29');
    expect(berlin.dayAt(at('2026-03-28T23:59:59.999+01:00')).date).toBe('2026-03-28');
  });
});

describe('workingTimeBetween edge values', () => {
  it('is +0, never -0, backwards over a closed stretch', () => {
    // Object.is equality: -0 would print as "-0" through Intl in a "time left" notice.
    expect(workingTimeBetween(at('2026-03-29T12:00:00+02:00'), at('2026-03-28T12:00:00+01:00'), berlin)).toBe(0);
    expect(workingTimeBetween(at('2026-03-28T12:00:00+01:00'), at('2026-03-28T12:00:00+01:00'), berlin)).toBe(0);
  });
});

describe('round-the-clock and DST-gap schedules', () => {
  const allDay = [parseTimeRange('00:00-24:00')];
  const nonstop = compileCalendar({
    key: 'nonstop',
    zone: 'Europe/Berlin',
    week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    holidays: new Map(),
    extraWorking: new Map(),
    shortened: new Map(),
  }, holidayLibrary);

  it('counts the spring-forward Sunday as 23 working hours and the autumn one as 25', () => {
    expect(nonstop.dayAt(at('2026-03-29T12:00:00+02:00')).workMs).toBe(23 * HOUR);
    expect(nonstop.dayAt(at('2026-10-25T12:00:00+01:00')).workMs).toBe(25 * HOUR);
    expect(local(addWorkingTime(at('2026-03-29T00:00:00+01:00'), 24 * HOUR, nonstop), 'Europe/Berlin')).toBe('2026-03-30T01:00:00+02:00');
  });

  it('a range inside the skipped hour has no working time; one straddling it starts when clocks resume', () => {
    const cal = compileCalendar({
      key: 'gap',
      zone: 'Europe/Berlin',
      week: { sun: [parseTimeRange('02:00-03:00'), parseTimeRange('05:00-06:00')], mon: [parseTimeRange('02:30-04:00')] },
      holidays: new Map(),
      extraWorking: new Map([['2026-03-29', [parseTimeRange('02:30-04:00')]]]),
      shortened: new Map(),
    }, holidayLibrary);
    expect(cal.dayAt(at('2026-03-22T12:00:00+01:00')).workMs).toBe(2 * HOUR);
    const gapDay = cal.workingIntervals('2026-03-29', '2026-03-29')[0]!;
    expect(gapDay.intervals.map((i) => [local(i.startMs, 'Europe/Berlin'), local(i.endMs, 'Europe/Berlin')])).toEqual([
      ['2026-03-29T03:30:00+02:00', '2026-03-29T04:00:00+02:00'],
    ]);
  });
});
