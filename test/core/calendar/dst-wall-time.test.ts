import { Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import type { CalendarSpec } from '../../../src/core/calendar/calendar-spec.js';
import { computeDeadline } from '../../../src/core/calendar/deadline.js';
import { parseTimeRange } from '../../../src/core/calendar/time-range.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { at, local } from './helpers.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

// luxon places a wall time by first guessing the zone's offset at Settings.now(); inside the
// repeated hour of a fall-back both guesses are self-consistent, so the answer depended on the
// season the process ran in. Each case runs under a summer and a winter "now".
const SUMMER_NOW = at('2026-07-15T12:00:00+02:00');
const WINTER_NOW = at('2026-01-15T12:00:00+01:00');
const realNow = Settings.now;
afterEach(() => {
  Settings.now = realNow;
});

function underEachSeason<T>(fn: () => T): T[] {
  return [SUMMER_NOW, WINTER_NOW].map((now) => {
    Settings.now = () => now;
    try {
      return fn();
    } finally {
      Settings.now = realNow;
    }
  });
}

// Berlin 2026: clocks go back 03:00 CEST -> 02:00 CET on Sun 25 Oct (01:00Z) and jump
// 02:00 CET -> 03:00 CEST on Sun 29 Mar (01:00Z).
const spec = (date: string, hours: string): CalendarSpec => ({
  key: 'dst',
  zone: 'Europe/Berlin',
  week: { mon: [parseTimeRange('09:00-18:00')] },
  holidays: new Map(),
  extraWorking: new Map([[date, [parseTimeRange(hours)]]]),
  shortened: new Map(),
});

const bounds = (s: CalendarSpec, date: string): string[] =>
  compileCalendar(s, holidayLibrary)
    .workingIntervals(date, date)[0]!
    .intervals.flatMap((i) => [local(i.startMs, 'Europe/Berlin'), local(i.endMs, 'Europe/Berlin')]);

describe('wall times the zone repeats or skips', () => {
  it('a bound inside the repeated hour is its first occurrence (summer offset) whatever the process date', () => {
    const [summer, winter] = underEachSeason(() => bounds(spec('2026-10-25', '02:30-05:00'), '2026-10-25'));
    expect(summer).toEqual(['2026-10-25T02:30:00+02:00', '2026-10-25T05:00:00+01:00']);
    expect(winter).toEqual(summer);
  });

  it('an end bound inside the repeated hour is its first occurrence too', () => {
    const [summer, winter] = underEachSeason(() => bounds(spec('2026-10-25', '01:00-02:15'), '2026-10-25'));
    expect(summer).toEqual(['2026-10-25T01:00:00+02:00', '2026-10-25T02:15:00+02:00']);
    expect(winter).toEqual(summer);
  });

  it('a bound inside the skipped hour moves forward by the gap (RFC 5545), whatever the process date', () => {
    const [summer, winter] = underEachSeason(() => bounds(spec('2026-03-29', '02:30-04:00'), '2026-03-29'));
    expect(summer).toEqual(['2026-03-29T03:30:00+02:00', '2026-03-29T04:00:00+02:00']);
    expect(winter).toEqual(summer);
  });

  it('a calendar-days deadline landing in the repeated hour is its first occurrence, from either offset', () => {
    const cal = compileCalendar(spec('2026-10-25', '09:00-10:00'), holidayLibrary);
    const days = (n: number) => ({ clock: 'calendar-days' as const, minutes: n * 1440 });
    // 14 dates after 02:30 CEST on 11 Oct, and 364 after the second 02:30 (CET) of 26 Oct 2025: both
    // name 02:30 on 25 Oct 2026, which happens twice.
    expect(local(computeDeadline(at('2026-10-11T02:30:00+02:00'), days(14), cal), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(local(computeDeadline(at('2025-10-26T02:30:00+01:00'), days(364), cal), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    // Into the skipped hour: 02:30 on 29 Mar does not exist and moves forward by the gap.
    expect(local(computeDeadline(at('2026-03-28T02:30:00+01:00'), days(1), cal), 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
  });
});
