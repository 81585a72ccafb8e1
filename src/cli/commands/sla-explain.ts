import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildLevelSelector, selectionZone } from '../../app/level-selector.js';
import { buildServiceLevels } from '../../app/service-levels.js';
import { loadConfig } from '../../config/load-config.js';
import { computeDeadline } from '../../core/calendar/deadline.js';
import { TidingsError } from '../../errors.js';
import { createRepositories } from '../../store/repositories.js';
import { isCurrent } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-database.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { parseInstant } from '../parse-instant.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';
import { formatInZone, formatMinutes, formatUtc, localTime } from '../time-format.js';

export interface SlaExplainOptions {
  config?: string | undefined;
  from?: string | undefined;
  at?: string | undefined;
  subject?: string | undefined;
  bodyFile?: string | undefined;
  json?: boolean | undefined;
}

interface CountedInterval {
  date: string;
  start: string;
  end: string;
  minutes: number;
}

/**
 * What the daemon would decide for a message, without storing anything: the admin's tool for
 * "why did this client get 48 hours?". Coupon uses are read from the database when it exists, so
 * an exhausted quota shows as such.
 */
export function slaExplainCommand(io: CliIo, opts: SlaExplainOptions): ExitCode {
  try {
    if (!opts.from) throw new TidingsError('E_USAGE', '--from ADDR is required');
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const zone = selectionZone(config);
    const at = opts.at ? parseInstant(opts.at, zone) : io.now();
    const body = opts.bodyFile ? readFileSync(path.resolve(io.cwd, opts.bodyFile), 'utf8') : undefined;
    const selector = buildLevelSelector(config);
    const levels = buildServiceLevels(config);

    const coupons = couponCounter(config.store.path, config.store.busy_timeout_ms);
    let selection;
    try {
      selection = selector.select({
        from: opts.from,
        at,
        ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(coupons ? { couponUsesThisYear: coupons.count, couponUsed: coupons.used } : {}),
      });
    } finally {
      coupons?.close();
    }
    const lc = levels.level(selection.level);
    const deadline = computeDeadline(at, lc.term, lc.calendar);
    const counted: CountedInterval[] = [];
    if (lc.term.clock === 'business' && lc.calendar) {
      for (const day of lc.calendar.workingIntervals(new Date(at).toISOString(), new Date(deadline).toISOString())) {
        for (const i of day.intervals) {
          const s = Math.max(i.startMs, at);
          const e = Math.min(i.endMs, deadline);
          if (e > s) counted.push({ date: day.date, start: localTime(s, lc.zone), end: localTime(e, lc.zone), minutes: Math.round((e - s) / 60_000) });
        }
      }
    }
    const result = {
      sender: selection.sender,
      at: formatUtc(at),
      licence: selection.licence ?? null,
      quotedLicence: selection.quotedLicence ?? null,
      rule: selection.rule === 'fallback' ? 'fallback' : { index: selection.rule, ...config.rules[selection.rule] },
      level: { key: selection.level, name: lc.name, response: config.levels[selection.level]?.response, clock: lc.term.clock, calendar: config.levels[selection.level]?.calendar ?? null },
      urgent: selection.urgent,
      coupon: selection.coupon ?? null,
      couponRejected: selection.couponRejected ?? null,
      reason: selection.reason,
      deadline: { zone: lc.zone, local: formatInZone(deadline, lc.zone), utc: formatUtc(deadline) },
      counted,
    };
    if (opts.json) {
      printJson(io, result);
      return EXIT.OK;
    }
    io.out(`sender    ${result.sender}`);
    io.out(`received  ${formatInZone(at, lc.zone)} = ${result.at}`);
    if (selection.licence) {
      const l = selection.licence;
      io.out(`licence   ${l.key} (${l.type}, ${l.edition}, ${l.owner}), support until ${l.supportUntil}: ${l.status}, matched by ${l.matchedBy}`);
    } else io.out('licence   none');
    if (selection.quotedLicence && !selection.quotedLicence.accepted) io.out(`          quoted licence ${selection.quotedLicence.key} not honoured`);
    io.out(`rule      ${selection.rule === 'fallback' ? `none matched: fallback_level ${config.selection.fallback_level}` : `#${selection.rule + 1} ${JSON.stringify(config.rules[selection.rule])}`}`);
    if (selection.urgent) io.out('urgent    marker found in the subject');
    if (selection.coupon) io.out(`coupon    ${selection.coupon.code} would be used (${selection.coupon.usedThisYear} of ${selection.coupon.perYear} in ${selection.coupon.year})`);
    if (selection.couponRejected) io.out(`coupon    ${selection.couponRejected.code} refused: ${selection.couponRejected.reason} (${selection.couponRejected.text.en})`);
    io.out(`level     ${selection.level} "${lc.name.en}": ${result.level.response} ${lc.term.clock}${result.level.calendar ? ` on calendar ${result.level.calendar}` : ''}`);
    io.out(`reason    ${selection.reason.code}: ${selection.reason.text.en}${selection.reason.tellClient ? ' (told to the client)' : ''}`);
    io.out(`deadline  ${result.deadline.local}`);
    io.out(`          ${result.deadline.utc}`);
    if (counted.length) {
      io.out('working intervals counted:');
      for (const c of counted) io.out(`  ${c.date} ${c.start}-${c.end}  ${formatMinutes(c.minutes)}`);
      io.out(`  total ${formatMinutes(counted.reduce((s, c) => s + c.minutes, 0))}`);
    }
    return EXIT.OK;
  } catch (err) {
    return reportError(io, err);
  }
}

function couponCounter(file: string, busyTimeoutMs: number) {
  if (file === ':memory:' || !existsSync(file)) return undefined;
  const db = openDatabase(file, { readonly: true, busyTimeoutMs });
  if (!isCurrent(db)) {
    db.close();
    return undefined;
  }
  const repos = createRepositories(db);
  return {
    count: (licenceKey: string, year: number) => repos.coupons.countUses(licenceKey, year),
    used: (code: string) => repos.coupons.findUse(code) !== undefined,
    close: () => db.close(),
  };
}
