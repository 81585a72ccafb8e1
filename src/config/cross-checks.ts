import { DateTime, IANAZone } from 'luxon';
import { parseTimeRange, rangesOverlap, type TimeRange } from '../core/calendar/time-range.js';
import { parseDuration } from '../core/duration.js';
import { holidayLibrary } from './holiday-library.js';
import type { RawConfig, RawLicence } from './schema.js';
import type { PathSegment } from './yaml-file.js';

export interface CrossIssue {
  path: PathSegment[];
  message: string;
  /** Report the line of this key under `path` (for "defined twice" style issues). */
  keyOf?: string;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

let countries: Set<string> | undefined;
function knownCountry(code: string): boolean {
  // asked only for a calendar with public_holidays, so other configs never load the library
  const Holidays = holidayLibrary();
  countries ??= new Set(Object.keys(new Holidays().getCountries()));
  return countries.has(code.toUpperCase());
}

function checkRanges(texts: readonly string[], at: PathSegment[], out: CrossIssue[]): void {
  const ranges: TimeRange[] = [];
  texts.forEach((t, i) => {
    try {
      ranges.push(parseTimeRange(t));
    } catch (err) {
      out.push({ path: [...at, i], message: (err as Error).message });
    }
  });
  if (ranges.length === texts.length && rangesOverlap(ranges)) {
    out.push({ path: at, message: `overlapping intervals: ${texts.join(', ')}` });
  }
}

function checkDate(date: string, at: PathSegment[], out: CrossIssue[]): void {
  if (!DateTime.fromISO(date, { zone: 'UTC' }).isValid) out.push({ path: at, message: `not a calendar date: ${date}` });
}

/**
 * A licence needs something that ends its support: support_until, or support_from with a window for
 * its type (selection.support_days). A support_from that ends nothing is refused rather than ignored,
 * so an admin who wrote only a start date does not get a licence that never expires.
 */
function checkSupportDates(lic: RawLicence, i: number, c: RawConfig, out: CrossIssue[]): void {
  if (lic.support_until !== undefined) checkDate(lic.support_until, ['licences', i, 'support_until'], out);
  if (lic.support_from !== undefined) checkDate(lic.support_from, ['licences', i, 'support_from'], out);
  if (lic.support_until !== undefined) return;
  // selection is missing when it failed the schema: whether a window applies is then unknown, and
  // its own errors come first.
  const selection = c.selection as RawConfig['selection'] | undefined;
  if (selection === undefined) return;
  const days = selection.support_days[lic.type];
  if (days !== undefined && lic.support_from === undefined) {
    out.push({ path: ['licences', i, 'support_until'], message: `required, or support_from: a ${lic.type} licence has ${days} days of support from it (selection.support_days)` });
  } else if (days === undefined && lic.support_from !== undefined) {
    out.push({
      path: ['licences', i, 'support_from'],
      message: `counts only for a licence type with a support window (selection.support_days has none for "${lic.type}"); give support_until`,
    });
  } else if (days === undefined) {
    out.push({ path: ['licences', i, 'support_until'], message: 'required' });
  }
}

/** Checks that need more than one field: references between files, duplicates, real zones. */
export function crossCheck(c: RawConfig): CrossIssue[] {
  const out: CrossIssue[] = [];
  const levelKeys = new Set(Object.keys(c.levels));
  const calendarKeys = new Set(Object.keys(c.calendars));

  for (const [key, cal] of Object.entries(c.calendars)) {
    if (!IANAZone.isValidZone(cal.zone)) out.push({ path: ['calendars', key, 'zone'], message: `unknown IANA time zone "${cal.zone}"` });
    let any = false;
    for (const day of WEEKDAYS) {
      const ranges = cal.week[day];
      if (!ranges) continue;
      if (ranges.length) any = true;
      checkRanges(ranges, ['calendars', key, 'week', day], out);
    }
    if (!any) out.push({ path: ['calendars', key, 'week'], message: 'the week has no working time' });
    if (cal.public_holidays && !knownCountry(cal.public_holidays.country)) {
      out.push({ path: ['calendars', key, 'public_holidays', 'country'], message: `unknown country "${cal.public_holidays.country}"` });
    }
    const holidayDates = Array.isArray(cal.holidays) ? cal.holidays : Object.keys(cal.holidays);
    holidayDates.forEach((d, i) => checkDate(d, ['calendars', key, 'holidays', Array.isArray(cal.holidays) ? i : d], out));
    if (Array.isArray(cal.extra_working)) {
      cal.extra_working.forEach((d, i) => checkDate(d, ['calendars', key, 'extra_working', i], out));
      if (cal.extra_working.length && !cal.week.mon?.length) {
        out.push({ path: ['calendars', key, 'extra_working'], message: 'a list of dates is worked with the Monday schedule, and Monday has none; give ranges per date' });
      }
    } else {
      for (const [d, ranges] of Object.entries(cal.extra_working)) {
        checkDate(d, ['calendars', key, 'extra_working', d], out);
        checkRanges(ranges, ['calendars', key, 'extra_working', d], out);
      }
    }
    const closed = new Set(holidayDates);
    for (const [d, ranges] of Object.entries(cal.shortened)) {
      checkDate(d, ['calendars', key, 'shortened', d], out);
      // Explicit holidays win, so a shortened entry on one would be silently ignored.
      if (closed.has(d)) out.push({ path: ['calendars', key, 'shortened', d], message: `${d} is also listed as a holiday; remove one of the two` });
      checkRanges(ranges, ['calendars', key, 'shortened', d], out);
    }
  }

  for (const [key, level] of Object.entries(c.levels)) {
    try {
      const d = parseDuration(level.response);
      if (level.clock === 'calendar-days' && d.minutes % 1440 !== 0) {
        out.push({ path: ['levels', key, 'response'], message: `a calendar-days clock counts whole days (e.g. 14d), got ${level.response}` });
      }
    } catch (err) {
      out.push({ path: ['levels', key, 'response'], message: (err as Error).message });
    }
    if (level.calendar !== undefined && !calendarKeys.has(level.calendar)) {
      out.push({ path: ['levels', key, 'calendar'], message: `unknown calendar "${level.calendar}"` });
    }
    if (level.clock !== '24x7' && level.calendar === undefined) {
      out.push({ path: ['levels', key, 'calendar'], message: `a ${level.clock} clock needs a calendar` });
    }
    level.escalate.forEach((e, i) => {
      const pct = Number.parseFloat(e.at);
      if (pct <= 0 || pct > 1000) out.push({ path: ['levels', key, 'escalate', i, 'at'], message: 'must be between 0% and 1000%' });
    });
  }

  c.rules.forEach((rule, i) => {
    if (!levelKeys.has(rule.level)) out.push({ path: ['rules', i, 'level'], message: `unknown level "${rule.level}"` });
    if (!rule.when && !rule.otherwise) out.push({ path: ['rules', i], message: 'a rule needs "when" or "otherwise: true"' });
  });
  if (!levelKeys.has(c.selection.fallback_level)) {
    out.push({ path: ['selection', 'fallback_level'], message: `unknown level "${c.selection.fallback_level}"` });
  }
  if (c.selection.default_calendar !== undefined && !calendarKeys.has(c.selection.default_calendar)) {
    out.push({ path: ['selection', 'default_calendar'], message: `unknown calendar "${c.selection.default_calendar}"` });
  }

  const seenEmail = new Map<string, string>();
  const seenDomain = new Map<string, string>();
  const seenKey = new Map<string, number>();
  const seenCoupon = new Map<string, string>();
  c.licences.forEach((lic, i) => {
    const prevKey = seenKey.get(lic.key);
    if (prevKey !== undefined) out.push({ path: ['licences', i, 'key'], message: `licence key "${lic.key}" is also licences[${prevKey}]` });
    else seenKey.set(lic.key, i);
    checkSupportDates(lic, i, c, out);
    lic.emails.forEach((e, j) => {
      const addr = e.toLowerCase();
      const prev = seenEmail.get(addr);
      if (prev !== undefined) out.push({ path: ['licences', i, 'emails', j], message: `address ${addr} is listed twice (also in ${prev})` });
      else seenEmail.set(addr, `licences[${i}].emails[${j}]`);
    });
    lic.domains.forEach((d, j) => {
      const dom = d.toLowerCase();
      const prev = seenDomain.get(dom);
      if (prev !== undefined) out.push({ path: ['licences', i, 'domains', j], message: `domain ${dom} is listed twice (also in ${prev})` });
      else seenDomain.set(dom, `licences[${i}].domains[${j}]`);
    });
    lic.vip_coupons?.codes.forEach((code, j) => {
      const norm = code.toUpperCase();
      const prev = seenCoupon.get(norm);
      if (prev !== undefined) out.push({ path: ['licences', i, 'vip_coupons', 'codes', j], message: `coupon ${code} is listed twice (also in ${prev})` });
      else seenCoupon.set(norm, `licences[${i}].vip_coupons.codes[${j}]`);
    });
  });

  const mailboxAddrs = new Set([c.mailbox.address, ...c.mailbox.aliases].map((a) => a.toLowerCase()));
  const seenStaffKey = new Set<string>();
  const seenStaffEmail = new Set<string>();
  c.staff.members.forEach((m, i) => {
    if (seenStaffKey.has(m.key)) out.push({ path: ['staff', 'members', i, 'key'], message: `staff key "${m.key}" is listed twice` });
    seenStaffKey.add(m.key);
    const addr = m.email.toLowerCase();
    if (seenStaffEmail.has(addr)) out.push({ path: ['staff', 'members', i, 'email'], message: `address ${addr} is listed twice` });
    seenStaffEmail.add(addr);
    if (mailboxAddrs.has(addr)) out.push({ path: ['staff', 'members', i, 'email'], message: 'a staff address cannot be the support mailbox itself' });
    if (seenEmail.has(addr)) out.push({ path: ['staff', 'members', i, 'email'], message: `address ${addr} is also a licence address (${seenEmail.get(addr)})` });
  });
  if (c.staff.group !== undefined) {
    const group = c.staff.group.toLowerCase();
    // Notifications to our own mailbox would come back as mail from ourselves; to a client they would leak.
    if (mailboxAddrs.has(group)) out.push({ path: ['staff', 'group'], message: 'the staff group cannot be the support mailbox itself' });
    if (seenEmail.has(group)) out.push({ path: ['staff', 'group'], message: `address ${group} is also a licence address (${seenEmail.get(group)})` });
  }
  if (c.staff.require_auth && c.staff.members.length > 0 && !c.staff.authserv_id && c.staff.verify !== 'dkim') {
    out.push({ path: ['staff', 'authserv_id'], message: 'require_auth is on: name the authserv-id of your mail server, set verify: dkim, or set require_auth: false' });
  }
  return out;
}
