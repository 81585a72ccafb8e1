import type { CalendarSpec, Weekday } from './calendar-spec.js';
import { WEEKDAYS } from './calendar-spec.js';
import { formatTimeRange } from './time-range.js';

export type Language = 'en' | 'ru';

const DAY_NAMES: Record<Language, Record<Weekday, string>> = {
  en: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  ru: { mon: 'Пн', tue: 'Вт', wed: 'Ср', thu: 'Чт', fri: 'Пт', sat: 'Сб', sun: 'Вс' },
};

/**
 * "Mon-Fri 09:00-18:00 (Europe/Berlin), except public holidays": what a client reads in the
 * acknowledgement to understand why the deadline falls where it does. Consecutive weekdays with
 * the same hours are grouped.
 */
export function describeWorkingHours(spec: CalendarSpec, lang: Language): string {
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const d of WEEKDAYS) {
    const ranges = spec.week[d] ?? [];
    if (ranges.length === 0) continue;
    const hours = ranges.map(formatTimeRange).join(', ');
    const last = groups[groups.length - 1];
    const prevDay = WEEKDAYS[WEEKDAYS.indexOf(d) - 1];
    if (last && last.hours === hours && last.to === prevDay) last.to = d;
    else groups.push({ from: d, to: d, hours });
  }
  const names = DAY_NAMES[lang];
  const text = groups
    .map((g) => `${g.from === g.to ? names[g.from] : `${names[g.from]}-${names[g.to]}`} ${g.hours}`)
    .join('; ');
  const holidays = spec.publicHolidays || spec.holidays.size > 0;
  if (lang === 'ru') return `${text} (${spec.zone})${holidays ? ', кроме праздничных дней' : ''}`;
  return `${text} (${spec.zone})${holidays ? ', except public holidays' : ''}`;
}
