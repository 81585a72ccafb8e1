import { describe, expect, it } from 'vitest';
import { computeDeadline, elapsedFraction, thresholdInstant, timeLeft, type ResponseTerm } from '../../../src/core/calendar/deadline.js';
import { compileCalendar } from '../../../src/core/calendar/working-calendar.js';
import { berlinSpec } from './fixtures.js';
import { at, HOUR, local } from './helpers.js';
import { holidayLibrary } from '../../../src/config/holiday-library.js';

const berlin = compileCalendar(berlinSpec, holidayLibrary);
const zone = 'Europe/Berlin';

describe('business clock: time left, elapsed share, thresholds', () => {
  const term: ResponseTerm = { clock: 'business', minutes: 16 * 60 };
  const start = at('2026-03-27T16:00:00+01:00');
  const deadline = computeDeadline(start, term, berlin);

  it('deadline', () => expect(local(deadline, zone)).toBe('2026-03-31T14:00:00+02:00'));

  it('75% is reached after 12 working hours', () => {
    // Fri 2h + Mon 9h + Tue 1h
    expect(local(thresholdInstant(start, deadline, 0.75, term, berlin), zone)).toBe('2026-03-31T10:00:00+02:00');
  });

  it('100% is the deadline itself and 0% the start', () => {
    expect(thresholdInstant(start, deadline, 1, term, berlin)).toBe(deadline);
    expect(thresholdInstant(start, deadline, 0, term, berlin)).toBe(start);
  });

  it('150% extends past the deadline in working time', () => {
    // 24 working hours: Fri 2h, Mon 9h, Tue 9h, Wed 09:00+4h
    expect(local(thresholdInstant(start, deadline, 1.5, term, berlin), zone)).toBe('2026-04-01T13:00:00+02:00');
  });

  it('the weekend does not advance the clock', () => {
    expect(elapsedFraction(start, deadline, at('2026-03-28T12:00:00+01:00'), term, berlin)).toBe(2 / 16);
    expect(elapsedFraction(start, deadline, at('2026-03-30T09:00:00+02:00'), term, berlin)).toBe(2 / 16);
  });

  it('before the start nothing has elapsed', () => {
    expect(elapsedFraction(start, deadline, at('2026-03-27T10:00:00+01:00'), term, berlin)).toBe(0);
  });

  it('time left counts working hours and turns negative when overdue', () => {
    expect(timeLeft(at('2026-03-30T12:00:00+02:00'), deadline, term, berlin)).toBe(11 * HOUR);
    expect(timeLeft(deadline, deadline, term, berlin)).toBe(0);
    expect(timeLeft(at('2026-03-31T16:00:00+02:00'), deadline, term, berlin)).toBe(-2 * HOUR);
    // Tue 14-18 and Wed 09-10 have passed since the deadline; the night in between has not counted.
    expect(timeLeft(at('2026-04-01T10:00:00+02:00'), deadline, term, berlin)).toBe(-5 * HOUR);
    expect(elapsedFraction(start, deadline, at('2026-04-01T10:00:00+02:00'), term, berlin)).toBe(21 / 16);
  });
});

describe('24x7 clock', () => {
  const term: ResponseTerm = { clock: '24x7', minutes: 4 * 60 };
  const start = at('2026-10-25T00:30:00+02:00');
  const deadline = computeDeadline(start, term, undefined);

  it('needs no calendar and counts real hours through the repeated hour', () => {
    expect(local(deadline, zone)).toBe('2026-10-25T03:30:00+01:00');
    // 3 real hours after 00:30 CEST is the second 02:30 of the night.
    expect(local(thresholdInstant(start, deadline, 0.75, term, undefined), zone)).toBe('2026-10-25T02:30:00+01:00');
    expect(timeLeft(at('2026-10-25T02:30:00+02:00'), deadline, term, berlin)).toBe(2 * HOUR);
    expect(elapsedFraction(start, deadline, at('2026-10-25T02:30:00+01:00'), term, berlin)).toBe(0.75);
    expect(timeLeft(at('2026-10-25T04:30:00+01:00'), deadline, term, undefined)).toBe(-HOUR);
  });
});

describe('calendar-days clock', () => {
  const term: ResponseTerm = { clock: 'calendar-days', minutes: 14 * 1440 };
  const start = at('2026-03-23T10:00:00+01:00');
  const deadline = computeDeadline(start, term, berlin);

  it('keeps the local time of day across DST; what is left is real time', () => {
    expect(local(deadline, zone)).toBe('2026-04-06T10:00:00+02:00');
    expect(timeLeft(start, deadline, term, berlin)).toBe(335 * HOUR);
    expect(elapsedFraction(start, deadline, deadline, term, berlin)).toBe(1);
    // Half of 335 real hours after 09:00Z on 23 Mar.
    expect(local(thresholdInstant(start, deadline, 0.5, term, berlin), zone)).toBe('2026-03-30T10:30:00+02:00');
  });

  it('without a calendar counts days in UTC', () => {
    expect(new Date(computeDeadline(at('2026-03-23T10:00:00Z'), term, undefined)).toISOString()).toBe('2026-04-06T10:00:00.000Z');
  });
});
