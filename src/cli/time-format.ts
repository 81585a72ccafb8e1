import { DateTime } from 'luxon';

/** `2026-12-28 10:00 CET (Europe/Berlin)`: what an admin reads to check a promise made to a client. */
export function formatInZone(ms: number, zone: string): string {
  const dt = DateTime.fromMillis(ms, { zone });
  return `${dt.toFormat('yyyy-MM-dd HH:mm ZZZZ')} (${zone})`;
}

export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function localTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
}

/** Business durations as `27h 30m`, the unit levels are written in. */
export function formatMinutes(totalMinutes: number): string {
  const sign = totalMinutes < 0 ? '-' : '';
  const m = Math.abs(Math.round(totalMinutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${sign}${rest}m`;
  return rest === 0 ? `${sign}${h}h` : `${sign}${h}h ${rest}m`;
}
