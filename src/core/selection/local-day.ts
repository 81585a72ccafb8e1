import { DateTime } from 'luxon';
import { TidingsError } from '../../errors.js';
import { zonedWallClock } from '../calendar/zoned-wall-clock.js';

export interface LocalDay {
  /** YYYY-MM-DD, compared with support_until as text (ISO dates sort as they read). */
  date: string;
  /** Calendar year the VIP coupon quota is counted in. */
  year: number;
}

// The range Date can represent; beyond it luxon would give an invalid date, not an error.
const MAX_MS = 8.64e15;

export function assertZone(zone: string): void {
  if (typeof zone !== 'string' || zone === '' || !DateTime.fromMillis(0, { zone }).isValid) {
    throw new TidingsError('E_ZONE_INVALID', `unknown time zone "${String(zone)}"`, { details: { zone } });
  }
}

/** The day and year of an instant where the desk works: a licence ends at local midnight, not UTC. */
export function localDay(at: number, zone: string): LocalDay {
  if (typeof at !== 'number' || !Number.isFinite(at) || Math.abs(at) > MAX_MS) {
    throw new TidingsError('E_INSTANT_INVALID', `not a valid point in time: ${String(at)}`, { details: { at } });
  }
  // One cached Intl formatter (this runs for every new ticket); luxon for what Intl cannot write.
  try {
    const w = zonedWallClock(at, zone);
    if (w.year >= 1000 && w.year <= 9999) return { date: `${w.year}-${pad2(w.month)}-${pad2(w.day)}`, year: w.year };
  } catch {
    // an unknown zone, or a fixed offset only luxon reads: decided below
  }
  const dt = DateTime.fromMillis(at, { zone });
  if (!dt.isValid) throw new TidingsError('E_ZONE_INVALID', `unknown time zone "${zone}"`, { details: { zone } });
  return { date: dt.toISODate(), year: dt.year };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Support runs through support_until inclusive: the last day is still a supported day. */
export function supportStatus(supportUntil: string, today: string): 'active' | 'expired' {
  return today <= supportUntil ? 'active' : 'expired';
}
