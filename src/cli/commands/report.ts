import { DateTime } from 'luxon';
import { openStore } from '../../app/open-store.js';
import { buildServiceLevels } from '../../app/service-levels.js';
import { loadConfig } from '../../config/load-config.js';
import { timeLeft } from '../../core/calendar/deadline.js';
import { clockCycles } from '../../core/reports/clock-cycles.js';
import { buildSlaReport, RATING_VALUES, type LevelReport, type ReportTicket } from '../../core/reports/sla-report.js';
import { TidingsError } from '../../errors.js';
import { readReportTickets } from '../../store/report-rows.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface ReportOptions {
  config?: string | undefined;
  from: string;
  to: string;
  json?: boolean | undefined;
  now: number;
}

function parseDay(text: string, zone: string, what: string, endOfDay: boolean): number {
  const dt = DateTime.fromISO(text.trim(), { zone });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) throw new TidingsError('E_USAGE', `${what} must be a date such as 2026-11-01, got "${text}"`);
  return (endOfDay ? dt.plus({ days: 1 }) : dt).startOf('day').toMillis();
}

/**
 * `tidings report --from D --to D`: tickets created on those days (both included, in the default
 * calendar's zone), per level: every clock cycle of them with its verdict (answered within the
 * cycle's deadline, late, overdue, still open within its deadline, stopped without an answer),
 * the share within SLA of the cycles that have a verdict, median and 90th percentile first
 * response per cycle in the level's clock (business hours on a business level), and the clients'
 * ratings (count, average, how many of each 1-5).
 */
export function reportCommand(io: CliIo, opts: ReportOptions): ExitCode {
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const levels = buildServiceLevels(config);
    const zone = levels.defaultCalendar?.zone ?? 'UTC';
    const from = parseDay(opts.from, zone, '--from', false);
    const to = parseDay(opts.to, zone, '--to', true);
    if (to <= from) throw new TidingsError('E_USAGE', '--to must not be before --from');
    const repos = openStore(config);
    try {
      const tickets: ReportTicket[] = readReportTickets(repos.db, from, to).map((t) => ({
        level: t.level,
        rating: t.rating,
        cycles: clockCycles(t.events).map((c) => {
          const lc = config.levels[c.level] ? levels.level(c.level) : undefined;
          const responseClockMs =
            c.answeredAt === null ? null : lc ? Math.max(0, timeLeft(c.clockStart, c.answeredAt, lc.term, lc.calendar)) : c.answeredAt - c.clockStart;
          return { ...c, responseClockMs };
        }),
      }));
      const report = buildSlaReport(tickets, opts.now, Object.keys(config.levels));
      if (opts.json) {
        printJson(io, { from: opts.from, to: opts.to, zone, levels: report });
        return EXIT.OK;
      }
      printReport(io, `SLA report ${opts.from} .. ${opts.to} (${zone})`, report);
      return EXIT.OK;
    } finally {
      repos.db.close();
    }
  } catch (err) {
    return reportError(io, err);
  }
}

function printReport(io: CliIo, title: string, report: readonly LevelReport[]): void {
  const h = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const row = (cells: readonly string[], widths: readonly number[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join(' ');
  const cyclesW = [22, 7, 6, 8, 6, 4, 7, 4, 7, 6, 8, 6];
  io.out(title);
  io.out(row(['level', 'tickets', 'cycles', 'answered', 'in SLA', 'late', 'overdue', 'open', 'stopped', 'share', 'median h', 'p90 h'], cyclesW));
  for (const r of report) {
    const share = r.shareWithinSla === null ? '-' : `${Math.round(r.shareWithinSla * 100)}%`;
    io.out(
      row(
        [r.level, r.tickets, r.cycles, r.answered, r.withinSla, r.late, r.overdue, r.openWithinDeadline, r.stoppedUnanswered].map(String).concat([
          share,
          h(r.medianFirstResponseHours),
          h(r.p90FirstResponseHours),
        ]),
        cyclesW,
      ),
    );
  }
  io.out('open: unanswered, deadline still ahead; stopped: #pending or #close before the deadline, no answer;');
  io.out('share: in SLA of the cycles answered or overdue (open and stopped cycles are no misses)');
  const ratingsW = [22, 7, 4, 4, 4, 4, 4, 4];
  io.out('');
  io.out(row(['ratings', 'count', 'avg', ...RATING_VALUES], ratingsW));
  for (const r of report) {
    const g = r.ratings;
    io.out(row([r.level, String(g.count), h(g.average), ...RATING_VALUES.map((v) => String(g.distribution[v]))], ratingsW));
  }
}
