import { openStore } from '../../app/open-store.js';
import { buildServiceLevels } from '../../app/service-levels.js';
import { loadConfig } from '../../config/load-config.js';
import { timeLeft } from '../../core/calendar/deadline.js';
import { TidingsError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';
import { formatInZone, formatMinutes } from '../time-format.js';

export interface QueueOptions {
  config?: string | undefined;
  json?: boolean | undefined;
  limit?: string | undefined;
  /** Epoch ms of "now"; the CLI passes the real clock, tests pass an instant. */
  now: number;
}

/**
 * Open tickets, most urgent first: by deadline, and inside a level first come, first served
 * (seed 2.2). Time left is in the level's own clock, so a Friday-evening ticket does not look
 * overdue over the weekend.
 */
export function queueCommand(io: CliIo, opts: QueueOptions): ExitCode {
  try {
    const limit = Number(opts.limit ?? '100');
    if (!Number.isInteger(limit) || limit < 1) throw new TidingsError('E_USAGE', `--limit must be a positive whole number, got "${opts.limit}"`);
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const repos = openStore(config);
    try {
      const levels = buildServiceLevels(config);
      const rows = repos.tickets.listOpenByDue(limit).map((t) => {
        const known = config.levels[t.level] !== undefined;
        const lc = known ? levels.level(t.level) : undefined;
        const leftMs = t.responseDueAt !== null && lc ? timeLeft(opts.now, t.responseDueAt, lc.term, lc.calendar) : null;
        return {
          tid: t.tid,
          status: t.status,
          level: t.level,
          subject: t.subject,
          requester: t.requester,
          dueAt: t.responseDueAt,
          dueLocal: t.responseDueAt !== null ? formatInZone(t.responseDueAt, lc?.zone ?? 'UTC') : null,
          leftMinutes: leftMs === null ? null : Math.round(leftMs / 60_000),
          createdAt: t.createdAt,
        };
      });
      if (opts.json) {
        printJson(io, rows);
        return EXIT.OK;
      }
      if (rows.length === 0) {
        io.out('no open tickets');
        return EXIT.OK;
      }
      for (const r of rows) {
        const left = r.leftMinutes === null ? 'clock stopped' : r.leftMinutes < 0 ? `overdue ${formatMinutes(-r.leftMinutes)}` : `${formatMinutes(r.leftMinutes)} left`;
        io.out(`${config.tid.prefix}${r.tid}`.padEnd(10) + ` ${r.status.padEnd(15)} ${r.level.padEnd(22)} ${left.padEnd(18)} ${r.dueLocal ?? '-'}  ${r.requester}  ${r.subject}`);
      }
      return EXIT.OK;
    } finally {
      repos.db.close();
    }
  } catch (err) {
    return reportError(io, err);
  }
}
