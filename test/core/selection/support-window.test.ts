import { describe, expect, it } from 'vitest';
import { lastSupportedDay } from '../../../src/core/selection/support-window.js';

// Seed 001 table 2.6: non-commercial support lasts 30 days. Day 1 is support_from.
describe('lastSupportedDay', () => {
  it('counts the window from support_from as its first day', () => {
    expect(lastSupportedDay({ support_from: '2026-11-02' }, 30)).toBe('2026-12-01');
    expect(lastSupportedDay({ support_from: '2026-12-31' }, 1)).toBe('2026-12-31');
  });
  it('crosses month and year ends and leap days by the calendar', () => {
    expect(lastSupportedDay({ support_from: '2028-02-01' }, 30)).toBe('2028-03-01');
    expect(lastSupportedDay({ support_from: '2027-02-01' }, 30)).toBe('2027-03-02');
    expect(lastSupportedDay({ support_from: '2026-12-15' }, 30)).toBe('2027-01-13');
  });
  it('an explicit support_until can shorten the window but never extend it', () => {
    expect(lastSupportedDay({ support_from: '2026-11-02', support_until: '2026-11-15' }, 30)).toBe('2026-11-15');
    expect(lastSupportedDay({ support_from: '2026-11-02', support_until: '2030-12-31' }, 30)).toBe('2026-12-01');
  });
  it('without a window support_until alone decides, and support_from is only a record', () => {
    expect(lastSupportedDay({ support_until: '2030-12-31' }, undefined)).toBe('2030-12-31');
    expect(lastSupportedDay({ support_from: '2026-11-02', support_until: '2030-12-31' }, undefined)).toBe('2030-12-31');
  });
  it('is undefined when nothing ends support, or support_from is not a date', () => {
    expect(lastSupportedDay({ support_from: '2026-11-02' }, undefined)).toBeUndefined();
    expect(lastSupportedDay({}, 30)).toBeUndefined();
    expect(lastSupportedDay({ support_from: '2026-02-30' }, 30)).toBeUndefined();
  });
});
