import type { Config } from '../config/config.js';
import type { ResponseTerm } from '../core/calendar/deadline.js';
import { compileCalendar, type WorkingCalendar } from '../core/calendar/working-calendar.js';
import { TidingsError } from '../errors.js';
import { holidayLibrary } from '../config/holiday-library.js';

export interface LevelClock {
  key: string;
  term: ResponseTerm;
  /** The level's calendar; undefined for a 24x7 level without one. */
  calendar: WorkingCalendar | undefined;
  /** Zone the deadline is shown in: the level's calendar, else the default calendar, else UTC. */
  zone: string;
  name: { en: string; ru?: string | undefined };
}

export interface ServiceLevels {
  calendars: ReadonlyMap<string, WorkingCalendar>;
  level(key: string): LevelClock;
  /** Calendar for showing working hours when a level has none. */
  defaultCalendar: WorkingCalendar | undefined;
}

/**
 * Compiles every calendar once per loaded config; compiled calendars cache their days, so the
 * same objects are reused for every deadline until the config is reloaded.
 */
export function buildServiceLevels(config: Config): ServiceLevels {
  const calendars = new Map<string, WorkingCalendar>();
  for (const [key, spec] of Object.entries(config.calendarSpecs)) calendars.set(key, compileCalendar(spec, holidayLibrary));
  const defaultKey = config.selection.default_calendar ?? Object.keys(config.calendarSpecs)[0];
  const defaultCalendar = defaultKey ? calendars.get(defaultKey) : undefined;
  const cache = new Map<string, LevelClock>();
  return {
    calendars,
    defaultCalendar,
    level(key) {
      const hit = cache.get(key);
      if (hit) return hit;
      const raw = config.levels[key];
      const term = config.levelTerms[key];
      if (!raw || !term) throw new TidingsError('E_LEVEL_UNKNOWN', `unknown service level "${key}"`, { details: { level: key } });
      const calendar = raw.calendar ? calendars.get(raw.calendar) : undefined;
      const lc: LevelClock = {
        key,
        term: { clock: term.clock, minutes: term.minutes },
        calendar,
        zone: (calendar ?? defaultCalendar)?.zone ?? 'UTC',
        name: raw.name,
      };
      cache.set(key, lc);
      return lc;
    },
  };
}
