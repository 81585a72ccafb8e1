import { IANAZone } from 'luxon';
import { TidingsError } from '../../errors.js';
import { addWorkingTime } from './add-working-time.js';
import { DAY_MS } from './local-date.js';
import { instantOfWallTime, wallTimeOfInstant } from './wall-time-instant.js';
import type { WorkingCalendar } from './working-calendar.js';
import { workingTimeBetween } from './working-time-between.js';

export type ClockKind = 'business' | '24x7' | 'calendar-days';

export interface ResponseTerm {
  clock: ClockKind;
  minutes: number;
}

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;

/**
 * The response deadline for a clock started at `startMs`.
 *
 * - business: `minutes` of the calendar's working time (the calendar is required).
 * - 24x7: `minutes` of real elapsed time; the calendar is ignored.
 * - calendar-days: whole calendar days in the calendar's zone (UTC without a calendar), so
 *   14 days from 10:00 local is 10:00 local even across a DST change. The result is NOT moved off a
 *   weekend or holiday: the regulations say "14 days", not "14 days then the next working day", and
 *   the acknowledgement shows the date the client was promised.
 */
export function computeDeadline(startMs: number, term: ResponseTerm, cal: WorkingCalendar | undefined): number {
  checkInstant(startMs, 'start');
  checkTerm(term);
  switch (term.clock) {
    case 'business':
      return addWorkingTime(startMs, term.minutes * MINUTE_MS, requireCalendar(cal));
    case '24x7':
      return startMs + term.minutes * MINUTE_MS;
    case 'calendar-days': {
      if (term.minutes % MINUTES_PER_DAY !== 0) {
        throw new TidingsError('E_DURATION_INVALID', `a calendar-days clock needs whole days, got ${term.minutes} minutes`);
      }
      const days = term.minutes / MINUTES_PER_DAY;
      const zone = IANAZone.create(cal?.zone ?? 'UTC');
      // Same wall time `days` dates later, placed by the calendar's rule for repeated and skipped wall times.
      const due = instantOfWallTime(wallTimeOfInstant(startMs, zone) + days * DAY_MS, zone);
      if (!Number.isFinite(due)) throw new TidingsError('E_INSTANT_INVALID', `deadline ${days} days after ${startMs} is out of range`);
      return due;
    }
    default:
      return unknownClock(term.clock);
  }
}

/**
 * Share of the term used up at `nowMs`: 0 before the start, 1 at the deadline, above 1 when overdue.
 *
 * Measured in the clock's own time: working time for business (a night does not advance a business
 * clock), real time otherwise. A calendar-days clock counts days only to place its deadline; once
 * placed, real time is what is left, so a DST change does not make the last hour count twice.
 */
export function elapsedFraction(
  startMs: number,
  deadlineMs: number,
  nowMs: number,
  term: ResponseTerm,
  cal: WorkingCalendar | undefined,
): number {
  const total = clockTime(startMs, deadlineMs, term, cal);
  // A zero-length term cannot come from computeDeadline; treat it as due at once rather than divide by 0.
  if (total <= 0) return nowMs >= deadlineMs ? 1 : 0;
  const used = clockTime(startMs, nowMs, term, cal);
  return used <= 0 ? 0 : used / total;
}

/** Clock time from now to the deadline in ms: working time for business, real time otherwise; negative when overdue. */
export function timeLeft(nowMs: number, deadlineMs: number, term: ResponseTerm, cal: WorkingCalendar | undefined): number {
  return clockTime(nowMs, deadlineMs, term, cal);
}

/**
 * The instant when `fraction` of the term (0.75 for "warn at 75%") has elapsed in the clock's own time,
 * so the escalation loop compares stored instants instead of recomputing fractions per tick.
 * fraction 1 gives back the deadline; fractions above 1 ("remind again at 150%") extend past it.
 */
export function thresholdInstant(
  startMs: number,
  deadlineMs: number,
  fraction: number,
  term: ResponseTerm,
  cal: WorkingCalendar | undefined,
): number {
  if (!Number.isFinite(fraction) || fraction < 0) {
    throw new TidingsError('E_DURATION_INVALID', `threshold fraction must be a number >= 0, got ${String(fraction)}`);
  }
  checkInstant(startMs, 'start');
  checkInstant(deadlineMs, 'deadline');
  if (term.clock === 'business') {
    const c = requireCalendar(cal);
    // Whole ms: a fraction of a ms would never match a stored integer instant.
    const target = Math.round(workingTimeBetween(startMs, deadlineMs, c) * fraction);
    return target <= 0 ? startMs : addWorkingTime(startMs, target, c);
  }
  if (term.clock !== '24x7' && term.clock !== 'calendar-days') return unknownClock(term.clock);
  return startMs + Math.round((deadlineMs - startMs) * fraction);
}

function clockTime(fromMs: number, toMs: number, term: ResponseTerm, cal: WorkingCalendar | undefined): number {
  checkInstant(fromMs, 'from');
  checkInstant(toMs, 'to');
  switch (term.clock) {
    case 'business':
      return workingTimeBetween(fromMs, toMs, requireCalendar(cal));
    case '24x7':
    case 'calendar-days':
      return toMs - fromMs;
    default:
      return unknownClock(term.clock);
  }
}

function requireCalendar(cal: WorkingCalendar | undefined): WorkingCalendar {
  if (cal === undefined) throw new TidingsError('E_CALENDAR_UNKNOWN', 'a business-hours clock needs a calendar');
  return cal;
}

function checkTerm(term: ResponseTerm): void {
  if (!Number.isFinite(term.minutes) || term.minutes <= 0) {
    throw new TidingsError('E_DURATION_INVALID', `response time must be a positive number of minutes, got ${String(term.minutes)}`);
  }
}

function checkInstant(ms: number, what: string): void {
  if (!Number.isFinite(ms)) throw new TidingsError('E_INSTANT_INVALID', `${what} is not a usable instant: ${String(ms)}`);
}

// Config is validated against ClockKind, but a stored ticket may carry a kind from a newer version.
function unknownClock(clock: never): never {
  throw new TidingsError('E_CONFIG_INVALID', `unknown clock kind "${String(clock)}"`);
}
