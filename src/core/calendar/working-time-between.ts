import { TidingsError } from '../../errors.js';
import type { WorkingCalendar } from './working-calendar.js';

/**
 * Milliseconds of working time in [aMs, bMs).
 *
 * Antisymmetric by choice: when bMs < aMs the answer is minus the working time in [bMs, aMs). That
 * makes "time left" from now to a passed deadline come out negative (overdue by so much working
 * time) without a special case in every caller; clamp at the call site if zero is wanted.
 */
export function workingTimeBetween(aMs: number, bMs: number, cal: WorkingCalendar): number {
  if (!Number.isFinite(aMs) || !Number.isFinite(bMs)) {
    throw new TidingsError('E_INSTANT_INVALID', `working time between ${String(aMs)} and ${String(bMs)}`);
  }
  if (bMs < aMs) {
    const forward = workingTimeBetween(bMs, aMs, cal);
    // Not -0: Intl formats it as "-0" and Object.is tells it apart, both surprising in a "time left".
    return forward === 0 ? 0 : -forward;
  }
  let total = 0;
  let day = cal.dayAt(aMs);
  while (day.startMs < bMs) {
    if (day.startMs >= aMs && day.endMs <= bMs) {
      total += day.workMs;
    } else {
      const b = day.bounds;
      for (let i = 0; i < b.length; i += 2) {
        const s = b[i]! > aMs ? b[i]! : aMs;
        const e = b[i + 1]! < bMs ? b[i + 1]! : bMs;
        if (e > s) total += e - s;
      }
    }
    day = cal.dayByNumber(day.dayNumber + 1);
  }
  return total;
}
