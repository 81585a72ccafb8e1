import { cycleOutcome, type ClockCycle } from './clock-cycles.js';

/** A clock cycle with its first response measured in its level's clock (business ms on a business level). */
export interface ReportCycle extends ClockCycle {
  responseClockMs: number | null;
}

/** One ticket as the SLA report sees it: its level now, every clock cycle, and the client's rating. */
export interface ReportTicket {
  level: string;
  cycles: readonly ReportCycle[];
  rating: number | null;
}

export const RATING_VALUES = ['1', '2', '3', '4', '5'] as const;

export interface RatingSummary {
  count: number;
  /** Mean rating, two decimals; null without ratings. */
  average: number | null;
  /** How many tickets got each rating. */
  distribution: Record<(typeof RATING_VALUES)[number], number>;
}

/**
 * Tickets and ratings count under the ticket's level now; each cycle under the level it was judged
 * in. Only a cycle with a verdict (answered, or unanswered past its deadline) counts for or against
 * "in SLA": one still running within its deadline, or stopped without an answer before it, is no miss.
 */
export interface LevelReport {
  level: string;
  tickets: number;
  cycles: number;
  /** Cycles with a public answer. */
  answered: number;
  /** Answered at or before the cycle's deadline. */
  withinSla: number;
  /** Answered after the deadline. */
  late: number;
  /** Unanswered past the deadline (as of `now`). */
  overdue: number;
  /** late + overdue. */
  breaches: number;
  /** Running, unanswered, deadline still ahead. */
  openWithinDeadline: number;
  /** Clock stopped by #pending or #close before the deadline, without an answer. */
  stoppedUnanswered: number;
  /** withinSla / (withinSla + breaches), 0..1; null while no cycle has a verdict. */
  shareWithinSla: number | null;
  /** Median and 90th percentile first response per cycle, in hours of the level's clock (business hours on a business level). */
  medianFirstResponseHours: number | null;
  p90FirstResponseHours: number | null;
  ratings: RatingSummary;
}

/** Nearest-rank percentile of sorted values (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** The median: mean of the two middle values for an even count. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const HOUR_MS = 3_600_000;

const round2 = (v: number): number => Math.round(v * 100) / 100;

function emptyLevel(level: string): LevelReport {
  return {
    level,
    tickets: 0,
    cycles: 0,
    answered: 0,
    withinSla: 0,
    late: 0,
    overdue: 0,
    breaches: 0,
    openWithinDeadline: 0,
    stoppedUnanswered: 0,
    shareWithinSla: null,
    medianFirstResponseHours: null,
    p90FirstResponseHours: null,
    ratings: { count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
  };
}

/** Per level, in the order of `levelOrder` (config order), then any other level found in the data. */
export function buildSlaReport(tickets: readonly ReportTicket[], now: number, levelOrder: readonly string[]): LevelReport[] {
  const byLevel = new Map<string, { row: LevelReport; times: number[]; ratingSum: number }>();
  const at = (level: string) => {
    let l = byLevel.get(level);
    if (l === undefined) {
      l = { row: emptyLevel(level), times: [], ratingSum: 0 };
      byLevel.set(level, l);
    }
    return l;
  };
  for (const level of levelOrder) at(level);
  for (const t of tickets) {
    const own = at(t.level);
    own.row.tickets += 1;
    if (t.rating !== null && t.rating >= 1 && t.rating <= 5) {
      own.row.ratings.count += 1;
      own.row.ratings.distribution[String(t.rating) as (typeof RATING_VALUES)[number]] += 1;
      own.ratingSum += t.rating;
    }
    for (const c of t.cycles) {
      const l = at(c.level);
      l.row.cycles += 1;
      if (c.answeredAt !== null) l.row.answered += 1;
      if (c.responseClockMs !== null) l.times.push(c.responseClockMs);
      switch (cycleOutcome(c, now)) {
        case 'within': l.row.withinSla += 1; break;
        case 'late': l.row.late += 1; break;
        case 'overdue': l.row.overdue += 1; break;
        case 'open': l.row.openWithinDeadline += 1; break;
        case 'stopped': l.row.stoppedUnanswered += 1; break;
      }
    }
  }
  const hours = (v: number | null): number | null => (v === null ? null : round2(v / HOUR_MS));
  return [...byLevel.values()].map(({ row, times, ratingSum }) => {
    times.sort((a, b) => a - b);
    const breaches = row.late + row.overdue;
    const decided = row.withinSla + breaches;
    return {
      ...row,
      breaches,
      shareWithinSla: decided === 0 ? null : row.withinSla / decided,
      medianFirstResponseHours: hours(median(times)),
      p90FirstResponseHours: hours(percentile(times, 0.9)),
      ratings: { ...row.ratings, average: row.ratings.count === 0 ? null : round2(ratingSum / row.ratings.count) },
    };
  });
}
