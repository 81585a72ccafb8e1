import path from 'node:path';
import type { CalendarSpec, Weekday } from '../core/calendar/calendar-spec.js';
import { parseTimeRange } from '../core/calendar/time-range.js';
import { parseDuration } from '../core/duration.js';
import { lastSupportedDay } from '../core/selection/support-window.js';
import type { RawCalendar, RawConfig, RawLicence } from './schema.js';

export interface LevelTerm {
  clock: 'business' | '24x7' | 'calendar-days';
  minutes: number;
}

/**
 * The validated, frozen configuration. Field names follow the YAML so an admin can map one to
 * the other; paths are absolute, durations are parsed, calendars are ready for the SLA core.
 */
/** A licence with its last supported day settled: written, or from support_from and its type's window. */
export type Licence = RawLicence & { support_until: string };

export type Config = Readonly<
  Omit<RawConfig, 'licences'> & {
    licences: Licence[];
    /** Absolute path of the main file and its folder (relative paths resolved against it). */
    file: string;
    dir: string;
    calendarSpecs: Readonly<Record<string, CalendarSpec>>;
    levelTerms: Readonly<Record<string, LevelTerm>>;
  }
>;

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function calendarSpecFrom(key: string, raw: RawCalendar): CalendarSpec {
  const week: Partial<Record<Weekday, ReturnType<typeof parseTimeRange>[]>> = {};
  for (const d of WEEKDAYS) {
    const ranges = raw.week[d];
    if (ranges) week[d] = ranges.map(parseTimeRange);
  }
  const holidays = new Map<string, string>(
    Array.isArray(raw.holidays) ? raw.holidays.map((d) => [d, 'holiday']) : Object.entries(raw.holidays),
  );
  const extraWorking = new Map(
    Array.isArray(raw.extra_working)
      ? raw.extra_working.map((d) => [d, week.mon ?? []] as const)
      : Object.entries(raw.extra_working).map(([d, r]) => [d, r.map(parseTimeRange)] as const),
  );
  const shortened = new Map(Object.entries(raw.shortened).map(([d, r]) => [d, r.map(parseTimeRange)] as const));
  const spec: CalendarSpec = { key, zone: raw.zone, week, holidays, extraWorking, shortened };
  if (raw.public_holidays) spec.publicHolidays = { ...raw.public_holidays };
  return spec;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) {
      for (const v of value.values()) deepFreeze(v);
    } else {
      for (const v of Object.values(value)) deepFreeze(v);
    }
  }
  return value;
}

export function buildConfig(raw: RawConfig, mainPath: string): Config {
  const dir = path.dirname(mainPath);
  const abs = (p: string): string => path.resolve(dir, p);
  const source =
    raw.source.kind === 'maildir' ? { ...raw.source, path: abs(raw.source.path) }
    : raw.source.kind === 'lmtp' && raw.source.listen.startsWith('unix:') ? { ...raw.source, listen: `unix:${abs(raw.source.listen.slice('unix:'.length))}` }
    : { ...raw.source };
  if (source.kind !== 'stdin' && 'password_file' in source && source.password_file) source.password_file = abs(source.password_file);
  const transport = raw.transport.kind === 'file' ? { ...raw.transport, path: abs(raw.transport.path) } : { ...raw.transport };
  if (transport.kind === 'smtp' && transport.password_file) transport.password_file = abs(transport.password_file);
  const security = { ...raw.security };
  const log = raw.log.file ? { ...raw.log, file: abs(raw.log.file) } : { ...raw.log };
  if (security.hmac_key_file) security.hmac_key_file = abs(security.hmac_key_file);

  const calendarSpecs: Record<string, CalendarSpec> = {};
  for (const [k, c] of Object.entries(raw.calendars)) calendarSpecs[k] = calendarSpecFrom(k, c);
  const levelTerms: Record<string, LevelTerm> = {};
  for (const [k, l] of Object.entries(raw.levels)) levelTerms[k] = { clock: l.clock, minutes: parseDuration(l.response).minutes };

  // Cross-checks have refused a licence that nothing ends, so the fallback never applies.
  const licences = raw.licences.map((l) => ({ ...l, support_until: lastSupportedDay(l, raw.selection.support_days[l.type]) ?? '' }));

  const config = {
    ...raw,
    licences,
    source,
    transport,
    security,
    log,
    store: { ...raw.store, path: raw.store.path === ':memory:' ? ':memory:' : abs(raw.store.path) },
    file: mainPath,
    dir,
    calendarSpecs,
    levelTerms,
  };
  return deepFreeze(config) as Config;
}
