/**
 * End-to-end table tests for the example profiles under config/examples/: the real YAML is loaded,
 * a sender + instant (+ subject/body) goes through level selection, and the chosen level's term is
 * turned into a deadline on that level's calendar. Expected values are computed by hand from the
 * regulation and the real public calendars; the arithmetic is in each case's `why`.
 */
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { selectionZone } from '../../src/app/level-selector.js';
import { buildServiceLevels, type ServiceLevels } from '../../src/app/service-levels.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { computeDeadline } from '../../src/core/calendar/deadline.js';
import { compileSelection, type LevelSelector } from '../../src/core/selection/select-level.js';
import type { CouponRejection, ReasonCode } from '../../src/core/selection/selection-result.js';
import { at, local } from '../core/calendar/helpers.js';

export { at, local };

export interface Profile {
  name: string;
  config: Config;
  levels: ServiceLevels;
  selector: LevelSelector;
}

export function loadProfile(name: string): Profile {
  const file = fileURLToPath(new URL(`../../config/examples/${name}/tidings.yaml`, import.meta.url));
  const config = loadConfig(file);
  const selector = compileSelection({
    licences: config.licences,
    rules: config.rules,
    selection: config.selection,
    levels: Object.keys(config.levels),
    zone: selectionZone(config),
  });
  return { name, config, levels: buildServiceLevels(config), selector };
}

/** The deadline of `level` for a clock started at `startIso`, as local ISO in the level's zone. */
export function deadlineOf(p: Profile, level: string, startIso: string): string {
  const lc = p.levels.level(level);
  return local(computeDeadline(at(startIso), lc.term, lc.calendar), lc.zone);
}

/**
 * The deadline of `level`'s term counted on another calendar of the profile (one the admin may switch
 * the levels to), as local ISO in `zone`.
 */
export function deadlineOnCalendar(p: Profile, level: string, calendarKey: string, startIso: string, zone: string): string {
  const cal = p.levels.calendars.get(calendarKey);
  if (!cal) throw new Error(`no calendar ${calendarKey} in ${p.name}`);
  return local(computeDeadline(at(startIso), p.levels.level(level).term, cal), zone);
}

/** A request as the client sends it: selection picks the level, the level's clock gives the deadline. */
export interface RequestCase {
  name: string;
  from: string;
  at: string;
  subject?: string;
  body?: string;
  couponUsesThisYear?: ReadonlyMap<string, number>;
  couponUsed?: ReadonlySet<string>;
  level: string;
  reason: ReasonCode;
  /** Licence key expected to be selected; null = none. */
  licence: string | null;
  /** The selected licence's last day of support, when the case is about it (e.g. a support window). */
  supportUntil?: string;
  /** Coupon that would be consumed. */
  coupon?: string;
  /** Coupon quoted but refused, and why. */
  couponRejected?: CouponRejection;
  deadline: string;
  why: string;
  /** Set when the profile or code gives a wrong answer: the bug, stated; the case runs as it.fails. */
  bug?: string;
}

export function requestTable(p: Profile, cases: RequestCase[]): void {
  describe(`${p.name}: requests`, () => {
    for (const c of cases) {
      const title = `${c.name}: ${c.from} at ${c.at} -> ${c.level}, due ${c.deadline}`;
      const body = (): void => {
        const sel = p.selector.select({
          from: c.from,
          at: at(c.at),
          subject: c.subject,
          body: c.body,
          couponUsesThisYear: c.couponUsesThisYear,
          couponUsed: c.couponUsed,
        });
        expect({ level: sel.level, reason: sel.reason.code, licence: sel.licence?.key ?? null }).toEqual({
          level: c.level,
          reason: c.reason,
          licence: c.licence,
        });
        if (c.supportUntil !== undefined) expect(sel.licence?.supportUntil).toBe(c.supportUntil);
        expect(sel.coupon?.code).toBe(c.coupon);
        expect(sel.couponRejected?.reason).toBe(c.couponRejected);
        if (c.reason === 'support-expired') {
          // 4.9: the acknowledgement says why, quoting the end of support.
          expect(sel.reason.tellClient).toBe(true);
          expect(sel.reason.text.en).toContain(`ended on ${sel.licence?.supportUntil ?? '?'}`);
        }
        if (c.reason === 'no-licence' || c.reason === 'address-not-in-licence') expect(sel.reason.tellClient).toBe(true);
        expect(deadlineOf(p, sel.level, c.at)).toBe(c.deadline);
      };
      if (c.bug) it.fails(`${title} [KNOWN BUG: ${c.bug}]`, body);
      else it(title, body);
    }
  });
}

/** A level set by staff (`#level development`, ...): no selection, just the clock from `start`. */
export interface LevelCase {
  name: string;
  level: string;
  start: string;
  deadline: string;
  why: string;
  bug?: string;
}

export function levelTable(p: Profile, cases: LevelCase[]): void {
  describe(`${p.name}: levels set by staff`, () => {
    for (const c of cases) {
      const title = `${c.name}: ${c.level} from ${c.start} -> ${c.deadline}`;
      const body = (): void => {
        expect(deadlineOf(p, c.level, c.start)).toBe(c.deadline);
      };
      if (c.bug) it.fails(`${title} [KNOWN BUG: ${c.bug}]`, body);
      else it(title, body);
    }
  });
}

/**
 * Instants inside working time of a business calendar: the start, the middle and the last minute of
 * every working interval on every `stepDays`-th date from `from` to `to` (local dates).
 */
function startsInsideWorkingTime(p: Profile, calendarKey: string, from: string, to: string, stepDays: number): number[] {
  const cal = p.levels.calendars.get(calendarKey);
  if (!cal) throw new Error(`no calendar ${calendarKey} in ${p.name}`);
  const out: number[] = [];
  const plans = cal.workingIntervals(from, to);
  plans.forEach((d, i) => {
    if (i % stepDays !== 0 && d.kind === 'weekly') return;
    for (const iv of d.intervals) {
      out.push(iv.startMs, Math.floor((iv.startMs + iv.endMs) / 2 / 60_000) * 60_000, iv.endMs - 60_000);
    }
  });
  return out;
}

/**
 * For every level of the profile and many starts inside working time: the deadline is not before
 * the start; a business deadline lies inside a working interval or exactly at its end; a 24x7
 * deadline is exactly the term later; a calendar-days deadline keeps the local wall time N days on.
 */
export function everyLevelIsSane(p: Profile, calendarKey: string): void {
  describe(`${p.name}: every level, starts inside working time`, () => {
    const starts = startsInsideWorkingTime(p, calendarKey, '2025-01-01', '2026-12-31', 3);
    it('has enough starts to mean something (incl. holidays eves, shortened and extra days)', () => {
      expect(starts.length).toBeGreaterThan(300);
    });
    for (const key of Object.keys(p.config.levels)) {
      it(`level ${key}`, () => {
        const lc = p.levels.level(key);
        for (const s of starts) {
          const d = computeDeadline(s, lc.term, lc.calendar);
          const ctx = `${key} from ${local(s, lc.zone)} -> ${local(d, lc.zone)}`;
          expect(d, ctx).toBeGreaterThanOrEqual(s);
          if (lc.term.clock === 'business') {
            const cal = lc.calendar!;
            // The day holding the last ms before d, so an interval ending at midnight still counts.
            const b = cal.dayAt(d - 1).bounds;
            let inside = false;
            for (let i = 0; i < b.length; i += 2) if (b[i]! < d && d <= b[i + 1]!) inside = true;
            expect(inside, `${ctx}: not inside a working interval nor at its end`).toBe(true);
          } else if (lc.term.clock === '24x7') {
            expect(d - s, ctx).toBe(lc.term.minutes * 60_000);
          } else {
            const zone = lc.calendar?.zone ?? 'UTC';
            const a = DateTime.fromMillis(s, { zone });
            const b = DateTime.fromMillis(d, { zone });
            expect(b.toFormat('HH:mm'), ctx).toBe(a.toFormat('HH:mm'));
            expect(b.startOf('day').diff(a.startOf('day'), 'days').days, ctx).toBe(lc.term.minutes / 1440);
          }
        }
      });
    }
  });
}
