import { describe, expect, it } from 'vitest';
import { escalationRecipients, parseThresholdLabel, pickLatest, planNotices, ruleForThreshold } from '../../../src/core/escalation/plan.js';

const H = 3_600_000;
const members = [
  { key: 'eve', email: 'Eve@desk.example', roles: ['agent'] },
  { key: 'kim', email: 'kim@desk.example', roles: ['agent'] },
  { key: 'sam', email: 'sam@desk.example', roles: ['supervisor'] },
];

describe('planNotices', () => {
  it('places thresholds and capped repeats on a 24x7 clock in real time', () => {
    const rules = [
      { at: '75%', notify: ['staff' as const], max_repeats: 0 },
      { at: '100%', notify: ['supervisor' as const], repeat_every: '2h', max_repeats: 3 },
    ];
    const planned = planNotices(rules, { startMs: 0, deadlineMs: 4 * H, term: { clock: '24x7', minutes: 240 }, calendar: undefined });
    expect(planned).toEqual([
      { threshold: '75%', dueAt: 3 * H },
      { threshold: '100%', dueAt: 4 * H },
      { threshold: '100%+1', dueAt: 6 * H },
      { threshold: '100%+2', dueAt: 8 * H },
      { threshold: '100%+3', dueAt: 10 * H },
    ]);
  });

  it('ignores repeats without repeat_every and duplicate thresholds', () => {
    const rules = [
      { at: '50%', notify: ['staff' as const], max_repeats: 5 },
      { at: '50%', notify: ['supervisor' as const], max_repeats: 0 },
    ];
    expect(planNotices(rules, { startMs: 0, deadlineMs: 10 * H, term: { clock: '24x7', minutes: 600 }, calendar: undefined })).toEqual([{ threshold: '50%', dueAt: 5 * H }]);
  });
});

describe('thresholds and choices', () => {
  it('parses labels and finds their rule; a repeat past the cap has none', () => {
    expect(parseThresholdLabel('100%+2')).toEqual({ at: '100%', repeat: 2 });
    expect(parseThresholdLabel('75%')).toEqual({ at: '75%', repeat: 0 });
    const rules = [{ at: '100%', notify: ['staff' as const], repeat_every: '1h', max_repeats: 1 }];
    expect(ruleForThreshold(rules, '100%+1')).toBe(rules[0]);
    expect(ruleForThreshold(rules, '100%+2')).toBeUndefined();
    expect(ruleForThreshold(rules, '75%')).toBeUndefined();
  });

  it('after downtime only the latest due notice is sent', () => {
    const due = [
      { threshold: '75%', dueAt: 3 },
      { threshold: '100%+1', dueAt: 9 },
      { threshold: '100%', dueAt: 4 },
    ];
    expect(pickLatest(due)).toEqual({ send: { threshold: '100%+1', dueAt: 9 }, superseded: [due[0], due[2]] });
    expect(pickLatest([])).toEqual({ send: undefined, superseded: [] });
  });

  it('recipients: assignee, else the group; staff; supervisors; lower-cased, without duplicates', () => {
    expect(escalationRecipients(['assignee'], { members }, 'kim')).toEqual(['kim@desk.example']);
    expect(escalationRecipients(['assignee'], { members }, null)).toEqual(['eve@desk.example', 'kim@desk.example']);
    expect(escalationRecipients(['assignee', 'staff'], { members, group: 'Team@desk.example' }, null)).toEqual(['team@desk.example']);
    expect(escalationRecipients(['supervisor', 'assignee'], { members }, 'sam')).toEqual(['sam@desk.example']);
  });
});
