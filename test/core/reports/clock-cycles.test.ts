import { describe, expect, it } from 'vitest';
import { clockCycles, cycleOutcome } from '../../../src/core/reports/clock-cycles.js';

const H = 3_600_000;

describe('clockCycles', () => {
  it('a level change on a running clock restarts it with the new deadline; one on a stopped clock names the next cycle only', () => {
    const cycles = clockCycles([
      { kind: 'start', clockStart: 0, dueAt: 24 * H, level: 'commercial' },
      { kind: 'level', at: 2 * H, level: 'vip', dueAt: 6 * H },
      { kind: 'answer', at: 5 * H },
      { kind: 'level', at: 7 * H, level: 'development', dueAt: null },
      { kind: 'start', clockStart: 8 * H, dueAt: 100 * H },
      { kind: 'stop', at: 9 * H },
      // An answer after a stop belongs to no cycle.
      { kind: 'answer', at: 10 * H },
    ]);
    expect(cycles).toEqual([
      { level: 'vip', clockStart: 2 * H, dueAt: 6 * H, answeredAt: 5 * H, stoppedAt: null },
      { level: 'development', clockStart: 8 * H, dueAt: 100 * H, answeredAt: null, stoppedAt: 9 * H },
    ]);
    expect(cycles.map((c) => cycleOutcome(c, 200 * H))).toEqual(['within', 'stopped']);
  });

  it('judges an unanswered cycle only once its deadline has passed', () => {
    const [c] = clockCycles([{ kind: 'start', clockStart: 0, dueAt: 10 * H, level: 'a' }]);
    expect(cycleOutcome(c!, 10 * H)).toBe('open');
    expect(cycleOutcome(c!, 10 * H + 1)).toBe('overdue');
    expect(cycleOutcome({ ...c!, stoppedAt: 11 * H }, 20 * H)).toBe('overdue');
    expect(cycleOutcome({ ...c!, answeredAt: 10 * H + 1 }, 20 * H)).toBe('late');
  });
});
