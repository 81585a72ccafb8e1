/** One ticket as the SLA report sees it: its first clock cycle and first public answer. */
export interface ReportTicket {
  level: string;
  /** The first client message (the first cycle's clock start). */
  startedAt: number;
  /** The first cycle's deadline as promised in the acknowledgement. */
  firstDueAt: number | null;
  firstResponseAt: number | null;
  /** First response time in the level's own clock (business ms on a business level); null when unanswered. */
  firstResponseClockMs: number | null;
}

export interface LevelReport {
  level: string;
  tickets: number;
  answered: number;
  /** Answered at or before the first deadline. */
  withinSla: number;
  /** withinSla / tickets, 0..1 (null without tickets). */
  shareWithinSla: number | null;
  /** Median and 90th percentile first response, in hours of the level's clock (business hours on a business level). */
  medianFirstResponseHours: number | null;
  p90FirstResponseHours: number | null;
  /** First deadline passed without an answer, or answered after it (as of `now`). */
  breaches: number;
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

/** Per level, in the order of `levelOrder` (config order), then any other level found in the data. */
export function buildSlaReport(tickets: readonly ReportTicket[], now: number, levelOrder: readonly string[]): LevelReport[] {
  const byLevel = new Map<string, ReportTicket[]>();
  for (const l of levelOrder) byLevel.set(l, []);
  for (const t of tickets) {
    const list = byLevel.get(t.level) ?? [];
    list.push(t);
    byLevel.set(t.level, list);
  }
  const out: LevelReport[] = [];
  for (const [level, list] of byLevel) {
    const times = list
      .map((t) => t.firstResponseClockMs)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    let withinSla = 0;
    let breaches = 0;
    for (const t of list) {
      if (t.firstDueAt === null) continue;
      if (t.firstResponseAt !== null && t.firstResponseAt <= t.firstDueAt) withinSla += 1;
      else if ((t.firstResponseAt ?? now) > t.firstDueAt) breaches += 1;
    }
    const hours = (v: number | null): number | null => (v === null ? null : Math.round((v / HOUR_MS) * 100) / 100);
    out.push({
      level,
      tickets: list.length,
      answered: times.length,
      withinSla,
      shareWithinSla: list.length === 0 ? null : withinSla / list.length,
      medianFirstResponseHours: hours(median(times)),
      p90FirstResponseHours: hours(percentile(times, 0.9)),
      breaches,
    });
  }
  return out;
}
