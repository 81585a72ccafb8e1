import { describe, expect, it } from 'vitest';
import { formatTimeRange, parseTimeRange, rangesOverlap } from '../../../src/core/calendar/time-range.js';
import { expectCode } from './helpers.js';

describe('parseTimeRange', () => {
  it.each([
    ['09:00-18:00', { start: 540, end: 1080 }],
    ['7:00-16:00', { start: 420, end: 960 }],
    ['00:00-24:00', { start: 0, end: 1440 }],
    [' 13:30 - 14:15 ', { start: 810, end: 855 }],
    ['09:00–18:00', { start: 540, end: 1080 }],
  ])('%s', (text, expected) => {
    expect(parseTimeRange(text)).toEqual(expected);
  });

  it.each(['', 'garbage', '09:00', '9-18', '09:00-', '18:00-09:00', '09:00-09:00', '09:60-18:00', '09:00-18:75', '25:00-26:00', '24:00-24:00', '09:00-24:01', '-1:00-02:00', '09:00:00-18:00:00', '9.00-18.00'])(
    'rejects %j with E_CONFIG_INVALID',
    (text) => {
      expectCode(() => parseTimeRange(text), 'E_CONFIG_INVALID');
    },
  );

  it('quotes the bad value in the message', () => {
    expect(() => parseTimeRange('18:00-09:00')).toThrow('bad time range "18:00-09:00": start must be before end');
  });

  it('formats back', () => {
    expect(formatTimeRange(parseTimeRange('7:05-24:00'))).toBe('07:05-24:00');
  });
});

describe('rangesOverlap', () => {
  const r = (...texts: string[]) => texts.map(parseTimeRange);
  it('touching ranges do not overlap', () => expect(rangesOverlap(r('09:00-13:00', '13:00-18:00'))).toBe(false));
  it('disjoint ranges in any order do not overlap', () => expect(rangesOverlap(r('14:00-18:00', '09:00-13:00'))).toBe(false));
  it('shared time overlaps', () => expect(rangesOverlap(r('14:00-18:00', '09:00-14:01'))).toBe(true));
  it('a contained range overlaps', () => expect(rangesOverlap(r('09:00-18:00', '10:00-11:00'))).toBe(true));
  it('empty and single lists do not overlap', () => {
    expect(rangesOverlap([])).toBe(false);
    expect(rangesOverlap(r('09:00-18:00'))).toBe(false);
  });
});
