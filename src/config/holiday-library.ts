import { createRequire } from 'node:module';
import type { HolidayLibrary } from '../core/calendar/public-holidays.js';

let library: HolidayLibrary | undefined;

/**
 * date-holidays, loaded on the first calendar that names public_holidays and kept. Synchronous
 * (the CommonJS build, one bundled file) because config checks and calendar compilation are; a
 * desk whose calendars list their holidays never loads it.
 */
export function holidayLibrary(): HolidayLibrary {
  library ??= createRequire(import.meta.url)('date-holidays') as HolidayLibrary;
  return library;
}
