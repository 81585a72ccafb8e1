import { TidingsError } from '../../errors.js';
import { IDLE_SCAN_LIMIT_DAYS, type WorkingCalendar } from './working-calendar.js';

/**
 * The instant when `durationMs` of the calendar's working time has passed since `startMs`.
 *
 * A start outside working time counts from the next working instant. A result that falls exactly on
 * the end of an interval stays there rather than jumping to the next start: "answer by 18:00 Friday"
 * is what the client was promised, not "by 09:00 Monday", and it keeps
 * add(add(s, a), b) === add(s, a + b).
 *
 * This is the hot path (escalation scans, acknowledgements): no luxon and no allocation per call,
 * only cached day records.
 */
export function addWorkingTime(startMs: number, durationMs: number, cal: WorkingCalendar): number {
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new TidingsError('E_DURATION_INVALID', `working time to add must be a positive number of ms, got ${String(durationMs)}`);
  }
  let day = cal.dayAt(startMs);
  let t = startMs;
  let remaining = durationMs;
  let idleDays = 0;
  for (;;) {
    const b = day.bounds;
    for (let i = 0; i < b.length; i += 2) {
      const end = b[i + 1]!;
      if (end <= t) continue;
      const from = b[i]! > t ? b[i]! : t;
      const available = end - from;
      // `<=` is what keeps a deadline on an interval end instead of the next morning.
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
    if (day.workMs === 0) {
      if (++idleDays > IDLE_SCAN_LIMIT_DAYS) {
        throw new TidingsError('E_CALENDAR_EMPTY', `calendar "${cal.key}" has no working time for ${IDLE_SCAN_LIMIT_DAYS} days after ${day.date}`);
      }
    } else {
      idleDays = 0;
    }
    day = cal.dayByNumber(day.dayNumber + 1);
    t = day.startMs;
  }
}
