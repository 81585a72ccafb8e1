/**
 * A deliberately naive reference for property tests: it walks local dates with luxon and reads the
 * spec and date-holidays directly, with no day cache, no instant-to-day shortcut and no merging.
 * Agreement between it and the compiled calendar is evidence that the fast path is right.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { CalendarSpec, Weekday } from '../../../src/core/calendar/calendar-spec.js';
import type { TimeRange } from '../../../src/core/calendar/time-range.js';

const WEEKDAY_BY_LUXON: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

export interface Oracle {
  /** Working intervals [startMs, endMs] of the local date of `dt`. */
  intervalsOn(dt: DateTime): [number, number][];
  add(startMs: number, durationMs: number): number;
  /** Working time or exactly the end of a working interval. */
  isWorkingOrEnd(ms: number): boolean;
  isWorking(ms: number): boolean;
}

export function oracle(spec: CalendarSpec): Oracle {
  const publicDays = new Set<string>();
  if (spec.publicHolidays !== undefined) {
    const hd = new Holidays(spec.publicHolidays.country);
    for (let year = 2015; year <= 2035; year++) {
      for (const h of hd.getHolidays(year)) {
        if (h.type !== 'public') continue;
        let d = DateTime.fromISO(h.date.slice(0, 10), { zone: 'UTC' });
        const last = d.plus({ milliseconds: h.end.getTime() - h.start.getTime() - 1 });
        do {
          publicDays.add(d.toISODate()!);
          d = d.plus({ days: 1 });
        } while (d <= last);
      }
    }
  }

  const rangesOn = (date: string, weekday: Weekday): TimeRange[] => {
    if (spec.holidays.has(date)) return [];
    const special = spec.shortened.get(date) ?? spec.extraWorking.get(date);
    if (special !== undefined) return special;
    if (publicDays.has(date)) return [];
    return spec.week[weekday] ?? [];
  };

  const intervalsOn = (dt: DateTime): [number, number][] => {
    const day = dt.setZone(spec.zone).startOf('day');
    const ranges = [...rangesOn(day.toISODate()!, WEEKDAY_BY_LUXON[day.weekday]!)].sort((a, b) => a.start - b.start);
    // set() is wall-clock; plus({ minutes }) would be elapsed time and drift by an hour on DST days.
    const wall = (m: number): number =>
      m === 1440 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis();
    return ranges.map((r) => [wall(r.start), wall(r.end)]);
  };

  const add = (startMs: number, durationMs: number): number => {
    let remaining = durationMs;
    let day = DateTime.fromMillis(startMs, { zone: spec.zone }).startOf('day');
    for (let guard = 0; guard < 5000; guard++) {
      for (const [s, e] of intervalsOn(day)) {
        const from = Math.max(s, startMs);
        if (e <= from) continue;
        if (remaining <= e - from) return from + remaining;
        remaining -= e - from;
      }
      day = day.plus({ days: 1 });
    }
    throw new Error('oracle: no working time');
  };

  const containing = (ms: number, inclusiveEnd: boolean): boolean =>
    intervalsOn(DateTime.fromMillis(ms - (inclusiveEnd ? 1 : 0), { zone: spec.zone })).some(([s, e]) =>
      inclusiveEnd ? s < ms && ms <= e : s <= ms && ms < e,
    );

  return {
    intervalsOn,
    add,
    isWorkingOrEnd: (ms) => containing(ms, true),
    isWorking: (ms) => containing(ms, false),
  };
}
