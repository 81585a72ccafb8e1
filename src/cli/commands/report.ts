import { DateTime } from 'luxon';
import { openStore } from '../../app/open-store.js';
import { buildServiceLevels } from '../../app/service-levels.js';
import { loadConfig } from '../../config/load-config.js';
import { timeLeft } from '../../core/calendar/deadline.js';
import { buildSlaReport, type ReportTicket } from '../../core/reports/sla-report.js';
import { TidingsError } from '../../errors.js';
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
 * calendar's zone), per level: how many, the share answered within the first deadline, median and
 * 90th percentile first response in the level's clock (business hours on a business level), and
 * breaches (first deadline passed without an answer, or answered late). Later clock cycles are not
 * counted: the first response is what the regulations promise.
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
      const rows = repos.db
        .prepare<[number, number], { level: string; createdAt: number; firstResponseAt: number | null; startedAt: number | null; firstDueAt: number | null }>(
          `SELECT t.level, t.created_at AS createdAt, t.first_response_at AS firstResponseAt,
                  (SELECT min(m.received_at) FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'client') AS startedAt,
                  (SELECT json_extract(e.data, '$.responseDueAt') FROM events e WHERE e.ticket_id = t.id AND e.type = 'ticket.created' ORDER BY e.id LIMIT 1) AS firstDueAt
           FROM tickets t WHERE t.created_at >= ? AND t.created_at < ? ORDER BY t.id`,
        )
        .all(from, to);
      const tickets: ReportTicket[] = rows.map((r) => {
        const startedAt = r.startedAt ?? r.createdAt;
        const lc = config.levels[r.level] ? levels.level(r.level) : undefined;
        const firstResponseClockMs =
          r.firstResponseAt === null ? null : lc ? Math.max(0, timeLeft(startedAt, r.firstResponseAt, lc.term, lc.calendar)) : r.firstResponseAt - startedAt;
        return { level: r.level, startedAt, firstDueAt: r.firstDueAt, firstResponseAt: r.firstResponseAt, firstResponseClockMs };
      });
      const report = buildSlaReport(tickets, opts.now, Object.keys(config.levels));
      if (opts.json) {
        printJson(io, { from: opts.from, to: opts.to, zone, levels: report });
        return EXIT.OK;
      }
      io.out(`SLA report ${opts.from} .. ${opts.to} (${zone})`);
      io.out(`${'level'.padEnd(22)} ${'tickets'.padStart(7)} ${'in SLA'.padStart(7)} ${'median h'.padStart(9)} ${'p90 h'.padStart(7)} ${'breaches'.padStart(8)}`);
      for (const r of report) {
        const share = r.shareWithinSla === null ? '-' : `${Math.round(r.shareWithinSla * 100)}%`;
        const h = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
        io.out(`${r.level.padEnd(22)} ${String(r.tickets).padStart(7)} ${share.padStart(7)} ${h(r.medianFirstResponseHours).padStart(9)} ${h(r.p90FirstResponseHours).padStart(7)} ${String(r.breaches).padStart(8)}`);
      }
      return EXIT.OK;
    } finally {
      repos.db.close();
    }
  } catch (err) {
    return reportError(io, err);
  }
}
