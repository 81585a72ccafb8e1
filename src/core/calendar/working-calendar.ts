import { DateTime, IANAZone } from 'luxon';
import { TidingsError } from '../../errors.js';
import type { CalendarSpec, Weekday } from './calendar-spec.js';
import { WEEKDAYS } from './calendar-spec.js';
import {
  DAY_MS,
  type DayNumber,
  dayNumberOfIsoDate,
  isoDateOfDayNumber,
  weekdayOfDayNumber,
  ymdOfDayNumber,
} from './local-date.js';
import { publicHolidayLookup, type HolidayLibrary, type PublicHolidayLookup } from './public-holidays.js';
import { MINUTES_PER_DAY, type TimeRange } from './time-range.js';
import { instantOfWallTime } from './wall-time-instant.js';

/**
 * Scanning this many consecutive days without working time means the calendar is effectively empty
 * (e.g. every date listed as a holiday); callers throw E_CALENDAR_EMPTY instead of looping forever.
 * Three years, so a long explicit closure still works.
 */
export const IDLE_SCAN_LIMIT_DAYS = 3 * 366;

/** Why a date has the intervals it has; 'weekly' with no intervals is an ordinary day off. */
export type DayKind = 'weekly' | 'holiday' | 'public-holiday' | 'extra-working' | 'shortened';

/** One local date, compiled to instants. Immutable once built, so it can be cached and shared. */
export interface CalendarDay {
  readonly dayNumber: DayNumber;
  readonly date: string;
  readonly weekday: Weekday;
  readonly kind: DayKind;
  /** Holiday name for 'holiday' and 'public-holiday'. */
  readonly name: string | undefined;
  /** Local midnight as epoch ms. */
  readonly startMs: number;
  /** Next local midnight as epoch ms; 23 or 25 hours after startMs on DST days. */
  readonly endMs: number;
  /** Working intervals as epoch ms, flattened [start0, end0, start1, end1, ...], sorted, disjoint. */
  readonly bounds: readonly number[];
  readonly workMs: number;
}

/** A day as shown by `tidings calendar`. */
export interface DayPlan {
  date: string;
  weekday: Weekday;
  kind: DayKind;
  name?: string;
  intervals: { start: string; end: string; startMs: number; endMs: number }[];
  workMs: number;
}

export interface WorkingCalendar {
  readonly key: string;
  readonly zone: string;
  /**
   * Every local date from the date of `fromIso` to the date of `toIso`, both included. Each argument
   * is a local date 'YYYY-MM-DD' in the calendar's zone or an ISO instant with an offset.
   */
  workingIntervals(fromIso: string, toIso: string): DayPlan[];
  /** The local date containing the instant. */
  dayAt(ms: number): CalendarDay;
  dayByNumber(n: DayNumber): CalendarDay;
}

// Keeps instants inside what Date and luxon can represent, with a day to spare either side.
const MAX_ABS_MS = 8.64e15 - 2 * DAY_MS;
const MINUTE_MS = 60_000;

/**
 * `holidays` gives the date-holidays class; it is called only when the spec names public holidays,
 * so a calendar of explicit dates compiles without the library ever loading.
 */
export function compileCalendar(spec: CalendarSpec, holidays?: () => HolidayLibrary): WorkingCalendar {
  const zone = IANAZone.create(spec.zone);
  if (!zone.isValid) throw new TidingsError('E_CONFIG_INVALID', `calendar "${spec.key}": unknown time zone "${spec.zone}"`);

  const week = new Map<Weekday, TimeRange[]>();
  let weeklyMinutes = 0;
  for (const wd of WEEKDAYS) {
    const ranges = normalise(spec.week[wd] ?? []);
    week.set(wd, ranges);
    for (const r of ranges) weeklyMinutes += r.end - r.start;
  }
  if (weeklyMinutes === 0) {
    throw new TidingsError('E_CALENDAR_EMPTY', `calendar "${spec.key}" has no working time in its weekly schedule`);
  }
  const extraWorking = normaliseAll(spec.extraWorking);
  const shortened = normaliseAll(spec.shortened);
  let publicHoliday: PublicHolidayLookup | undefined;
  if (spec.publicHolidays !== undefined) {
    if (!holidays) throw new TidingsError('E_CONFIG_INVALID', `calendar "${spec.key}": public_holidays needs the holiday library, and none was given`);
    publicHoliday = publicHolidayLookup(holidays(), spec.publicHolidays);
  }

  // The only mutable state: filled on first use, so the hot path never calls luxon twice for a date.
  const days = new Map<DayNumber, CalendarDay>();

  const localInstant = (n: DayNumber, minutes: number): number => {
    // A repeated wall time is its first occurrence and one inside a spring-forward gap moves
    // forward by the gap (instantOfWallTime), so a range starting in the gap starts when the
    // clocks resume and the day's bounds never depend on when the process started.
    const ms = instantOfWallTime(n * DAY_MS + minutes * MINUTE_MS, zone);
    if (!Number.isFinite(ms)) throw new TidingsError('E_INSTANT_INVALID', `calendar "${spec.key}": cannot place ${isoDateOfDayNumber(n)} in time`);
    return ms;
  };

  const plan = (n: DayNumber, date: string, weekday: Weekday): { kind: DayKind; name?: string; ranges: TimeRange[] } => {
    const holiday = spec.holidays.get(date);
    if (holiday !== undefined) return { kind: 'holiday', name: holiday, ranges: [] };
    const extra = extraWorking.get(date);
    const short = shortened.get(date);
    // A transferred Saturday may also be shortened; the shortened hours are the more specific ones.
    if (extra !== undefined) return { kind: 'extra-working', ranges: short ?? extra };
    if (short !== undefined) return { kind: 'shortened', ranges: short };
    const pub = publicHoliday?.(date, ymdOfDayNumber(n).year);
    if (pub !== undefined) return { kind: 'public-holiday', name: pub, ranges: [] };
    return { kind: 'weekly', ranges: week.get(weekday) ?? [] };
  };

  const build = (n: DayNumber): CalendarDay => {
    const date = isoDateOfDayNumber(n);
    const weekday = weekdayOfDayNumber(n);
    const p = plan(n, date, weekday);
    const startMs = localInstant(n, 0);
    const endMs = localInstant(n + 1, 0);
    const bounds: number[] = [];
    let workMs = 0;
    for (const r of p.ranges) {
      let s = localInstant(n, r.start);
      const e = r.end === MINUTES_PER_DAY ? endMs : localInstant(n, r.end);
      // Around a fall-back hour two wall times can map out of order; clamping keeps bounds disjoint.
      const prevEnd = bounds.length > 0 ? bounds[bounds.length - 1]! : startMs;
      if (s < prevEnd) s = prevEnd;
      if (e <= s) continue;
      // Touching ranges (13:00-14:00 then 14:00-18:00) become one, so 14:00 is not a false "interval end".
      if (bounds.length > 0 && s === prevEnd) bounds[bounds.length - 1] = e;
      else bounds.push(s, e);
      workMs += e - s;
    }
    const day: CalendarDay = { dayNumber: n, date, weekday, kind: p.kind, name: p.name, startMs, endMs, bounds, workMs };
    return Object.freeze(day);
  };

  const dayByNumber = (n: DayNumber): CalendarDay => {
    let day = days.get(n);
    if (day === undefined) {
      day = build(n);
      days.set(n, day);
    }
    return day;
  };

  const dayAt = (ms: number): CalendarDay => {
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_ABS_MS) {
      throw new TidingsError('E_INSTANT_INVALID', `not a usable instant: ${String(ms)}`);
    }
    // The local date is the UTC date shifted by less than a day (offsets are within +-14h),
    // so guessing the UTC date and stepping at most once avoids any zone arithmetic per call.
    let n = Math.floor(ms / DAY_MS);
    let day = dayByNumber(n);
    while (ms < day.startMs) day = dayByNumber(--n);
    while (ms >= day.endMs) day = dayByNumber(++n);
    return day;
  };

  const dayNumberOf = (iso: string, what: string): DayNumber => {
    const asDate = dayNumberOfIsoDate(iso);
    if (asDate !== undefined) return asDate;
    const dt = DateTime.fromISO(iso, { zone });
    if (!dt.isValid) throw new TidingsError('E_INSTANT_INVALID', `${what} "${iso}" is neither a date nor an ISO instant`);
    return dayAt(dt.toMillis()).dayNumber;
  };

  const workingIntervals = (fromIso: string, toIso: string): DayPlan[] => {
    const first = dayNumberOf(fromIso, 'from');
    const last = dayNumberOf(toIso, 'to');
    const out: DayPlan[] = [];
    for (let n = first; n <= last; n++) {
      const d = dayByNumber(n);
      const intervals: DayPlan['intervals'] = [];
      for (let i = 0; i < d.bounds.length; i += 2) {
        const startMs = d.bounds[i]!;
        const endMs = d.bounds[i + 1]!;
        intervals.push({ start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), startMs, endMs });
      }
      const row: DayPlan = { date: d.date, weekday: d.weekday, kind: d.kind, intervals, workMs: d.workMs };
      if (d.name !== undefined) row.name = d.name;
      out.push(row);
    }
    return out;
  };

  return Object.freeze({ key: spec.key, zone: spec.zone, workingIntervals, dayAt, dayByNumber });
}

/** Sorted copies, so a spec assembled in any order compiles the same way. */
function normalise(ranges: readonly TimeRange[]): TimeRange[] {
  return ranges.map((r) => ({ start: r.start, end: r.end })).sort((a, b) => a.start - b.start);
}

function normaliseAll(byDate: ReadonlyMap<string, TimeRange[]>): Map<string, TimeRange[]> {
  const out = new Map<string, TimeRange[]>();
  for (const [date, ranges] of byDate) out.set(date, normalise(ranges));
  return out;
}
