import { DateTime } from 'luxon';
import { TidingsError } from '../../errors.js';
import { twoDigits, zonedWallClock } from '../calendar/zoned-wall-clock.js';

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
  const w = zonedWallClock(at, zone);
  if (w !== undefined) return { date: `${w.year}-${twoDigits(w.month)}-${twoDigits(w.day)}`, year: w.year };
  const dt = DateTime.fromMillis(at, { zone });
  if (!dt.isValid) throw new TidingsError('E_ZONE_INVALID', `unknown time zone "${zone}"`, { details: { zone } });
  return { date: dt.toISODate(), year: dt.year };
}

/** Support runs through support_until inclusive: the last day is still a supported day. */
export function supportStatus(supportUntil: string, today: string): 'active' | 'expired' {
  return today <= supportUntil ? 'active' : 'expired';
}
