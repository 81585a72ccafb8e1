import { DateTime } from 'luxon';
import { TidingsError } from '../errors.js';

/**
 * An instant from the command line. A local time without offset is read in `zone` (the calendar's)
 * because that is how an admin thinks about "Friday 17:00"; `Z` or an offset is taken as given.
 */
export function parseInstant(text: string, zone: string, what = '--at'): number {
  const dt = DateTime.fromISO(text.trim(), { zone, setZone: true });
  if (!dt.isValid) throw new TidingsError('E_USAGE', `${what} must be an ISO date-time such as 2026-11-27T17:00 or 2026-11-27T16:00Z, got "${text}"`);
  return dt.toMillis();
}
