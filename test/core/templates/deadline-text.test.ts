import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { deadlineText } from '../../../src/core/templates/deadline-text.js';

const ZONES = ['Europe/Berlin', 'Europe/Moscow', 'America/St_Johns', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Los_Angeles', 'UTC', 'Pacific/Chatham'];

/** The plain luxon formulation, kept as the reference. */
function reference(ms: number, zone: string, lang: 'en' | 'ru'): string {
  const dt = DateTime.fromMillis(ms, { zone }).setLocale(lang === 'ru' ? 'ru' : 'en-GB');
  return `${dt.toFormat('cccc d MMMM yyyy, HH:mm')} (${zone}, UTC${dt.toFormat('ZZ')})`;
}

describe('deadlineText', () => {
  it.each([
    [Date.parse('2026-11-25T15:00:00Z'), 'Europe/Berlin', 'en', 'Wednesday 25 November 2026, 16:00 (Europe/Berlin, UTC+01:00)'],
    [Date.parse('2026-11-25T15:00:00Z'), 'Europe/Moscow', 'ru', 'среда 25 ноября 2026, 18:00 (Europe/Moscow, UTC+03:00)'],
    [Date.parse('2026-07-01T12:00:00Z'), 'America/St_Johns', 'en', 'Wednesday 1 July 2026, 09:30 (America/St_Johns, UTC-02:30)'],
    // A fixed offset only luxon reads: written by the luxon fallback.
    [Date.parse('2026-07-01T12:00:00Z'), 'UTC+3', 'en', 'Wednesday 1 July 2026, 15:00 (UTC+3, UTC+03:00)'],
  ] as const)('%s in %s (%s)', (ms, zone, lang, text) => {
    expect(deadlineText(ms, zone, lang)).toBe(text);
  });

  it('writes the offset as luxon ZZ does, in every zone and across DST changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), fc.constantFrom(...ZONES), fc.constantFrom('en' as const, 'ru' as const), (ms, zone, lang) => {
        expect(deadlineText(ms, zone, lang)).toBe(reference(ms, zone, lang));
      }),
      { numRuns: 2000 },
    );
  });
});
