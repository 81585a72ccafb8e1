import { Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/cli/parse-instant.js';

// luxon's fromISO reads a local time with an offset guessed once per zone from Settings.now() at
// first use, so `sla explain --at 2026-10-25T02:30` named a different instant in a process started
// in winter. The calendar's rule applies instead: the first occurrence of a repeated wall time.
const realNow = Settings.now;
afterEach(() => {
  Settings.now = realNow;
  Settings.resetCaches();
});

function underProcessDate(iso: string, fn: () => number): number {
  Settings.now = () => Date.parse(iso);
  Settings.resetCaches();
  return fn();
}

describe('parseInstant', () => {
  it('reads a local time in the repeated hour as its first occurrence, whatever the process date', () => {
    for (const now of ['2026-07-15T10:00:00Z', '2026-01-15T10:00:00Z']) {
      expect(new Date(underProcessDate(now, () => parseInstant('2026-10-25T02:30', 'Europe/Berlin'))).toISOString()).toBe('2026-10-25T00:30:00.000Z');
      // Skipped hour: forward by the gap.
      expect(new Date(underProcessDate(now, () => parseInstant('2026-03-29T02:30', 'Europe/Berlin'))).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    }
  });

  it('takes an explicit offset or Z as given, and refuses what is not a date-time', () => {
    expect(parseInstant('2026-10-25T02:30+01:00', 'Europe/Berlin')).toBe(Date.parse('2026-10-25T01:30:00Z'));
    expect(parseInstant('2026-10-25T02:30Z', 'Europe/Berlin')).toBe(Date.parse('2026-10-25T02:30:00Z'));
    expect(parseInstant(' 2026-11-27T17:00 ', 'Europe/Berlin')).toBe(Date.parse('2026-11-27T16:00:00Z'));
    expect(parseInstant('2026-11-27', 'Europe/Berlin')).toBe(Date.parse('2026-11-26T23:00:00Z'));
    expect(() => parseInstant('friday', 'Europe/Berlin')).toThrow(/--at must be an ISO date-time/);
  });
});
