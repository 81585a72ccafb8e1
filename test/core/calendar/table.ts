import { expect, it } from 'vitest';
import type { ClockKind } from '../../../src/core/calendar/deadline.js';
import { computeDeadline } from '../../../src/core/calendar/deadline.js';
import type { WorkingCalendar } from '../../../src/core/calendar/working-calendar.js';
import { parseDuration } from '../../../src/core/duration.js';
import { at, local } from './helpers.js';

/** One hand-computed deadline: the arithmetic is in `why` so a reviewer can redo it. */
export interface DeadlineCase {
  name: string;
  start: string;
  response: string;
  clock: ClockKind;
  expected: string;
  why: string;
}

export function deadlineTable(cal: WorkingCalendar, cases: DeadlineCase[]): void {
  it.each(cases)('$name: $start + $response ($clock) = $expected', ({ start, response, clock, expected }) => {
    const term = { clock, minutes: parseDuration(response).minutes };
    expect(local(computeDeadline(at(start), term, cal), cal.zone)).toBe(expected);
  });
}
