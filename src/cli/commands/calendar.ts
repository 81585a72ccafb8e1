import { DateTime } from 'luxon';
import { compileCalendar } from '../../core/calendar/working-calendar.js';
import { holidayLibrary } from '../../config/holiday-library.js';
import { loadConfig } from '../../config/load-config.js';
import { TidingsError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';
import { formatMinutes, localTime } from '../time-format.js';

export interface CalendarOptions {
  config?: string | undefined;
  from?: string | undefined;
  days?: string | undefined;
  json?: boolean | undefined;
}

const MAX_DAYS = 3660;

export function calendarCommand(io: CliIo, key: string, opts: CalendarOptions): ExitCode {
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const spec = config.calendarSpecs[key];
    if (!spec) {
      throw new TidingsError('E_CALENDAR_UNKNOWN', `unknown calendar "${key}"; known: ${Object.keys(config.calendarSpecs).join(', ') || 'none'}`);
    }
    const from = opts.from ?? DateTime.now().setZone(spec.zone).toISODate();
    if (!from || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !DateTime.fromISO(from).isValid) {
      throw new TidingsError('E_USAGE', `--from must be a date YYYY-MM-DD, got "${opts.from}"`);
    }
    const days = Number(opts.days ?? '14');
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      throw new TidingsError('E_USAGE', `--days must be a whole number from 1 to ${MAX_DAYS}, got "${opts.days}"`);
    }
    const to = DateTime.fromISO(from).plus({ days: days - 1 }).toISODate()!;
    const cal = compileCalendar(spec, holidayLibrary);
    const plan = cal.workingIntervals(from, to);
    if (opts.json) {
      printJson(io, { calendar: key, zone: spec.zone, from, to, days: plan });
      return EXIT.OK;
    }
    io.out(`calendar ${key} (${spec.zone}), ${from} to ${to}`);
    let total = 0;
    for (const d of plan) {
      total += d.workMs;
      const hours = d.intervals.map((i) => `${localTime(i.startMs, spec.zone)}-${localTime(i.endMs, spec.zone)}`).join(', ') || 'closed';
      const kind = d.kind === 'weekly' ? '' : `  [${d.kind}${d.name ? `: ${d.name}` : ''}]`;
      io.out(`${d.date} ${d.weekday}  ${hours.padEnd(24)} ${formatMinutes(d.workMs / 60_000).padStart(7)}${kind}`);
    }
    io.out(`working time in range: ${formatMinutes(total / 60_000)}`);
    return EXIT.OK;
  } catch (err) {
    return reportError(io, err);
  }
}
