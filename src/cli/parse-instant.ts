import { DateTime, IANAZone } from 'luxon';
import { instantOfWallTime } from '../core/calendar/wall-time-instant.js';
import { TidingsError } from '../errors.js';

// An ISO offset designator after the time: Z, +hh, +hhmm or +hh:mm.
const HAS_OFFSET = /T.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * An instant from the command line. A local time without offset is read in `zone` (the calendar's)
 * because that is how an admin thinks about "Friday 17:00", and placed by the calendar's rule (a
 * repeated wall time is its first occurrence, a skipped one moves forward by the gap) rather than
 * by luxon's offset guess, which comes from the date the process started; `Z` or an offset is
 * taken as given.
 */
export function parseInstant(text: string, zone: string, what = '--at'): number {
  const trimmed = text.trim();
  // Read in UTC, a local time's fields come back unchanged as "wall time written as if UTC".
  const dt = DateTime.fromISO(trimmed, { zone: 'UTC', setZone: true });
  if (!dt.isValid) throw new TidingsError('E_USAGE', `${what} must be an ISO date-time such as 2026-11-27T17:00 or 2026-11-27T16:00Z, got "${text}"`);
  if (HAS_OFFSET.test(trimmed)) return dt.toMillis();
  const z = IANAZone.create(zone);
  return z.isValid ? instantOfWallTime(dt.toMillis(), z) : DateTime.fromISO(trimmed, { zone }).toMillis();
}
