import { TidingsError } from '../errors.js';

export type DurationUnit = 'm' | 'h' | 'd';

export interface ParsedDuration {
  minutes: number;
  /** Kept so config validation can tell "14d" (calendar days) from "336h" (hours). */
  unit: DurationUnit;
}

const MINUTES_PER_UNIT: Readonly<Record<DurationUnit, number>> = Object.freeze({ m: 1, h: 60, d: 1440 });

// A ceiling well past any real response time, so a typo cannot push deadlines beyond what Date can hold.
const MAX_MINUTES = 100 * 366 * 1440;

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([mhd])\s*$/i;

/** Parses "90m", "24h", "14d", "1.5h" into whole minutes. */
export function parseDuration(text: string): ParsedDuration {
  const bad = (why: string): TidingsError =>
    new TidingsError('E_DURATION_INVALID', `bad duration "${String(text)}": ${why}`, { details: { value: text } });
  if (typeof text !== 'string') throw bad('expected text like "24h"');
  const m = DURATION_PATTERN.exec(text);
  if (m === null) throw bad('expected a number and a unit m, h or d, e.g. "24h", "90m", "14d"');
  const unit = m[2]!.toLowerCase() as DurationUnit;
  // Round through milliseconds: 0.1 * 60 is 6.000000000000001 in binary floating point.
  const ms = Math.round(Number(m[1]) * MINUTES_PER_UNIT[unit] * 60_000);
  if (ms <= 0) throw bad('must be greater than zero');
  // Deadlines are stored and shown to the minute; a seconds-level term is almost certainly a typo.
  if (ms % 60_000 !== 0) throw bad('must be a whole number of minutes');
  const minutes = ms / 60_000;
  if (minutes > MAX_MINUTES) throw bad('longer than 100 years');
  return { minutes, unit };
}
