import { TidingsError } from '../../errors.js';

/**
 * A working interval within one local day, in minutes since local midnight (0 <= start < end <= 1440).
 * Minutes rather than instants because the same "09:00-18:00" maps to different UTC instants on each
 * side of a DST change; the calendar turns them into instants per date.
 */
export interface TimeRange {
  start: number;
  end: number;
}

export const MINUTES_PER_DAY = 1440;

// An en dash is accepted because admins paste hours from documents ("09:00–18:00").
const RANGE_PATTERN = /^\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*$/;

export function parseTimeRange(text: string): TimeRange {
  const bad = (why: string): TidingsError =>
    new TidingsError('E_CONFIG_INVALID', `bad time range "${text}": ${why}`, { details: { value: text } });
  if (typeof text !== 'string') throw bad('expected text like "09:00-18:00"');
  const m = RANGE_PATTERN.exec(text);
  if (m === null) throw bad('expected HH:MM-HH:MM, e.g. "09:00-18:00"');
  const start = clockMinutes(Number(m[1]), Number(m[2]), bad);
  const end = clockMinutes(Number(m[3]), Number(m[4]), bad);
  if (start >= MINUTES_PER_DAY) throw bad('a day cannot start at 24:00');
  // Night shifts across midnight are written as two ranges on two days, so start >= end is a typo.
  if (start >= end) throw bad('start must be before end');
  return { start, end };
}

function clockMinutes(hours: number, minutes: number, bad: (why: string) => TidingsError): number {
  if (minutes > 59) throw bad(`minutes ${minutes} out of range 00-59`);
  // 24:00 is the only way to say "until the end of the day".
  if (hours > 24 || (hours === 24 && minutes !== 0)) throw bad(`time ${hours}:${String(minutes).padStart(2, '0')} is past 24:00`);
  return hours * 60 + minutes;
}

/** True when two ranges share time; ranges that merely touch (13:00 end, 13:00 start) do not overlap. */
export function rangesOverlap(ranges: TimeRange[]): boolean {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) return true;
  }
  return false;
}

export function formatTimeRange(range: TimeRange): string {
  return `${formatClock(range.start)}-${formatClock(range.end)}`;
}

function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
