import type Holidays from 'date-holidays';
import { TidingsError } from '../../errors.js';
import { DAY_MS } from './local-date.js';

export interface PublicHolidayRegion {
  country: string;
  state?: string;
  region?: string;
}

/**
 * The date-holidays class, handed in by the edge (src/config/holiday-library.ts): loading the library
 * is module I/O and costs a noticeable part of a second, so core never imports it and calendars
 * without public_holidays never ask for it.
 */
export type HolidayLibrary = typeof Holidays;

/** Name of the public holiday on a local date 'YYYY-MM-DD', or undefined. */
export type PublicHolidayLookup = (date: string, year: number) => string | undefined;

/**
 * Wraps date-holidays for one country/state/region. Only type 'public' counts: 'bank' and
 * 'observance' days (Heiliger Abend from 14:00, Valentinstag) are not days off for a support desk.
 * Years are computed lazily and kept, because computing a year is slow (milliseconds) and the
 * calendar asks about the same few years over and over.
 */
export function publicHolidayLookup(Library: HolidayLibrary, where: PublicHolidayRegion): PublicHolidayLookup {
  const hd = new Library();
  // init() answers true even for unknown countries, so check against the library's own lists.
  const country = where.country.toUpperCase();
  if (!(country in hd.getCountries())) {
    throw new TidingsError('E_CONFIG_INVALID', `unknown public holiday country "${where.country}"`);
  }
  if (where.state !== undefined && !(where.state.toUpperCase() in (hd.getStates(country) ?? {}))) {
    throw new TidingsError('E_CONFIG_INVALID', `unknown public holiday state "${where.state}" in ${country}`);
  }
  if (
    where.region !== undefined &&
    (where.state === undefined || !(where.region.toUpperCase() in (hd.getRegions(country, where.state.toUpperCase()) ?? {})))
  ) {
    throw new TidingsError('E_CONFIG_INVALID', `unknown public holiday region "${where.region}" in ${country}`);
  }
  const target =
    where.region !== undefined && where.state !== undefined
      ? { country, state: where.state.toUpperCase(), region: where.region.toUpperCase() }
      : where.state !== undefined
        ? { country, state: where.state.toUpperCase() }
        : { country };
  hd.init(target, { types: ['public'] });

  const byDate = new Map<string, string>();
  const loadedYears = new Set<number>();

  const loadYear = (year: number): void => {
    if (loadedYears.has(year)) return;
    loadedYears.add(year);
    for (const h of hd.getHolidays(year)) {
      if (h.type !== 'public') continue;
      // Some holidays span several days as one entry (Russian "Новогодние каникулы" Jan 2-6),
      // so expand by the entry's length; a part-day entry still closes its date.
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
      const first = Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`);
      for (let i = 0; i < days; i++) {
        const date = new Date(first + i * DAY_MS).toISOString().slice(0, 10);
        if (!byDate.has(date)) byDate.set(date, h.name);
      }
    }
  };

  return (date, year) => {
    // A multi-day entry from late December can reach into the next year.
    loadYear(year - 1);
    loadYear(year);
    return byDate.get(date);
  };
}
