import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { zonedWallClock, zonedWallClockNames } from '../../../src/core/calendar/zoned-wall-clock.js';
import { localDay } from '../../../src/core/selection/local-day.js';

// Half-hour, 45-minute and negative offsets, both hemispheres' DST, a zone that dropped DST (Moscow 2014).
const ZONES = ['Europe/Berlin', 'Europe/Moscow', 'America/St_Johns', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Los_Angeles', 'UTC', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Sao_Paulo'];
const instant = fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2060-01-01T00:00:00Z') });

describe('zonedWallClock', () => {
  it('agrees with luxon on every field and the offset, in every zone and across DST changes', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (ms, zone) => {
        const dt = DateTime.fromMillis(ms, { zone });
        expect(zonedWallClock(ms, zone)).toEqual({ year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second, offsetMinutes: dt.offset });
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    // The hour Berlin skips and the hour it repeats, and the second before each change.
    ['2026-03-29T00:59:59Z', 'Europe/Berlin', { hour: 1, minute: 59, second: 59, offsetMinutes: 60 }],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', { hour: 3, minute: 0, second: 0, offsetMinutes: 120 }],
    ['2026-10-25T00:30:00Z', 'Europe/Berlin', { hour: 2, minute: 30, second: 0, offsetMinutes: 120 }],
    ['2026-10-25T01:30:00Z', 'Europe/Berlin', { hour: 2, minute: 30, second: 0, offsetMinutes: 60 }],
    ['2026-12-31T21:00:00Z', 'Europe/Moscow', { hour: 0, minute: 0, second: 0, offsetMinutes: 180 }],
    ['2026-07-01T12:00:00Z', 'Pacific/Chatham', { hour: 0, minute: 45, second: 0, offsetMinutes: 765 }],
  ] as const)('%s in %s', (iso, zone, expected) => {
    expect(zonedWallClock(Date.parse(iso), zone)).toMatchObject(expected);
  });

  it('reads the weekday and the month in the form used after a day number', () => {
    const ms = Date.parse('2026-11-25T15:00:00Z');
    expect(zonedWallClockNames(ms, 'Europe/Moscow', 'ru')).toMatchObject({ weekday: 'среда', monthName: 'ноября', day: 25, hour: 18 });
    expect(zonedWallClockNames(ms, 'Europe/Berlin', 'en-GB')).toMatchObject({ weekday: 'Wednesday', monthName: 'November', day: 25, hour: 16 });
  });

  it('gives no answer for a zone Intl does not know (callers fall back to luxon)', () => {
    expect(zonedWallClock(0, 'Mars/Olympus_Mons')).toBeUndefined();
  });
});

describe('localDay', () => {
  it('agrees with luxon in every zone', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (ms, zone) => {
        const dt = DateTime.fromMillis(ms, { zone });
        expect(localDay(ms, zone)).toEqual({ date: dt.toISODate(), year: dt.year });
      }),
      { numRuns: 3000 },
    );
  });

  it('still takes the fixed-offset zones luxon reads and still refuses unknown zones', () => {
    expect(localDay(Date.parse('2026-12-31T22:00:00Z'), 'UTC+3')).toEqual({ date: '2027-01-01', year: 2027 });
    expect(() => localDay(0, 'Mars/Olympus_Mons')).toThrow(/unknown time zone/);
  });
});
