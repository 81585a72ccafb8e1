import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addWorkingTime } from '../../../src/core/calendar/add-working-time.js';
import type { CalendarSpec } from '../../../src/core/calendar/calendar-spec.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { workingTimeBetween } from '../../../src/core/calendar/working-time-between.js';
import { berlinSpec, moscow1cSpec } from './fixtures.js';
import { HOUR, MINUTE } from './helpers.js';
import { oracle } from './oracle.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

// Starts over several years, both DST changes and both New Years included; durations 1 min to 200 h.
const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2029-01-01T00:00:00Z');
const start = fc.integer({ min: FROM, max: TO });
const duration = fc.integer({ min: MINUTE, max: 200 * HOUR });
const RUNS = { numRuns: 300 };

describe.each([
  ['Berlin', berlinSpec],
  ['Moscow 1C', moscow1cSpec],
] as [string, CalendarSpec][])('%s calendar properties', (_name, spec) => {
  const cal = compileCalendar(spec, holidayLibrary);
  const ref = oracle(spec);

  it('agrees with a naive day-by-day reference walk', () => {
    fc.assert(fc.property(start, duration, (s, d) => addWorkingTime(s, d, cal) === ref.add(s, d)), RUNS);
  });

  it('the deadline lies in working time or exactly at the end of an interval', () => {
    fc.assert(fc.property(start, duration, (s, d) => ref.isWorkingOrEnd(addWorkingTime(s, d, cal))), RUNS);
  });

  it('adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(start, duration, duration, (s, a, b) => addWorkingTime(addWorkingTime(s, a, cal), b, cal) === addWorkingTime(s, a + b, cal)),
      RUNS,
    );
  });

  it('working time between the start and its deadline is the duration', () => {
    fc.assert(fc.property(start, duration, (s, d) => workingTimeBetween(s, addWorkingTime(s, d, cal), cal) === d), RUNS);
  });

  it('working time between is antisymmetric and additive', () => {
    fc.assert(
      fc.property(start, start, start, (a, b, c) => {
        const back = workingTimeBetween(b, a, cal);
        // Equal magnitudes; written as a sum because the negation of 0 would be -0, which the code never returns.
        expect(back + workingTimeBetween(a, b, cal)).toBe(0);
        expect(Object.is(back, -0)).toBe(false);
        const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
        expect(workingTimeBetween(x, y, cal) + workingTimeBetween(y, z, cal)).toBe(workingTimeBetween(x, z, cal));
      }),
      { numRuns: 50 },
    );
  });

  it('a later start never gives an earlier deadline', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 10 * 24 * HOUR }), duration, (s, gap, d) => addWorkingTime(s, d, cal) <= addWorkingTime(s + gap, d, cal)),
      RUNS,
    );
  });

  it('inside an interval, a duration that fits in it is plain addition', () => {
    const inInterval = fc
      .record({ dayOffset: fc.integer({ min: 0, max: 5 * 366 }), pick: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ dayOffset, pick, at, share }) => {
        const intervals = ref.intervalsOn(DateTime.fromMillis(FROM, { zone: spec.zone }).plus({ days: dayOffset }));
        if (intervals.length === 0) return undefined;
        const [a, b] = intervals[pick % intervals.length]!;
        const s = a + Math.floor(at * (b - a - 1));
        return { s, d: Math.max(1, Math.floor(share * (b - s))) };
      })
      .filter((c): c is { s: number; d: number } => c !== undefined);
    fc.assert(fc.property(inInterval, ({ s, d }) => addWorkingTime(s, d, cal) === s + d), RUNS);
  });
});
