import type { Zone } from 'luxon';
import { DAY_MS } from './local-date.js';

const MINUTE_MS = 60_000;

/**
 * The instant a wall time names in `zone`, by one rule that does not depend on the date the
 * process runs on:
 * - a wall time the zone repeats (the hour after a fall-back) is its first occurrence: the earlier
 *   instant, still on the summer offset (02:30 on 25 Oct 2026 in Berlin is 00:30Z, not 01:30Z);
 * - a wall time the zone skips (the gap of a spring-forward) moves forward by the gap, as RFC 5545
 *   3.3.5 does: 02:30 on 29 Mar 2026 in Berlin is 03:30 CEST.
 *
 * luxon's DateTime.fromObject seeds its offset guess with Settings.now(); in a repeated hour both
 * offsets are self-consistent, so the guess decided the answer and a calendar bound moved by an
 * hour between a process started in summer and one started in winter. Here the candidates are the
 * offsets a day either side, which a zone changes at most once between (real zones change twice a
 * year at most); `zone.offset(ms)` reads the tz database only.
 *
 * `wallMs` is the wall time written as if it were UTC: days since 1970-01-01 of the local date
 * times DAY_MS plus the time of day. NaN when the zone cannot answer (out of range).
 */
export function instantOfWallTime(wallMs: number, zone: Zone): number {
  const before = zone.offset(wallMs - DAY_MS);
  const after = zone.offset(wallMs + DAY_MS);
  const byBefore = wallMs - before * MINUTE_MS;
  const byAfter = wallMs - after * MINUTE_MS;
  const beforeHolds = zone.offset(byBefore) === before;
  const afterHolds = zone.offset(byAfter) === after;
  if (beforeHolds && afterHolds) return Math.min(byBefore, byAfter);
  if (beforeHolds) return byBefore;
  if (afterHolds) return byAfter;
  // In the gap neither offset reads back as this wall time; the offset in force before the gap
  // lands as far past the gap as the wall time is into it.
  return byBefore;
}

/** The wall time of `ms` in `zone` in the same as-if-UTC form. */
export function wallTimeOfInstant(ms: number, zone: Zone): number {
  return ms + zone.offset(ms) * MINUTE_MS;
}
