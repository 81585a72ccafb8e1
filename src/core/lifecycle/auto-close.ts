import type { WorkingCalendar } from '../calendar/working-calendar.js';

const DAY_MS = 86_400_000;

/**
 * When a ticket waiting for the client since `sinceMs` closes by itself: at the end of the working
 * hours of the `days`-th working day after the day it started waiting (so a Friday-evening answer
 * with 3 days closes on Wednesday evening, not over the weekend). Without a calendar (24x7
 * levels): `days` × 24 hours.
 */
export function autoCloseAt(sinceMs: number, days: number, cal: WorkingCalendar | undefined): number {
  if (days <= 0) return sinceMs;
  if (!cal) return sinceMs + days * DAY_MS;
  let day = cal.dayAt(sinceMs);
  let counted = 0;
  // A calendar without working days would loop forever; ten years of days is the guard.
  for (let i = 0; i < 3660; i++) {
    day = cal.dayByNumber(day.dayNumber + 1);
    if (day.bounds.length > 0) counted += 1;
    if (counted === days) return day.bounds[day.bounds.length - 1]!;
  }
  return sinceMs + days * DAY_MS;
}
