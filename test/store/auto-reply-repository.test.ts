import { describe, expect, it } from 'vitest';
import { freshRepos, HOUR, MIN, T0 } from './helpers.js';

describe('auto-reply repository', () => {
  it('counts automatic answers per sender in a window, case-insensitively, and prunes old ones', () => {
    const { autoReplies } = freshRepos();
    autoReplies.record('Vacation@Client.Example', T0 - 2 * HOUR);
    autoReplies.record('vacation@client.example', T0 - 30 * MIN);
    autoReplies.record('vacation@client.example', T0 - MIN);
    autoReplies.record('other@client.example', T0);
    expect(autoReplies.countSince('VACATION@client.example', T0 - HOUR)).toBe(2);
    expect(autoReplies.countSince('vacation@client.example', T0 - 3 * HOUR)).toBe(3);
    expect(autoReplies.countSince('nobody@client.example', 0)).toBe(0);
    expect(autoReplies.prune(T0 - HOUR)).toBe(1);
    expect(autoReplies.countSince('vacation@client.example', 0)).toBe(2);
  });

  it('keeps the staff budget apart: answers to clients and to staff are counted separately', () => {
    const { autoReplies } = freshRepos();
    autoReplies.record('eve@desk.example', T0 - MIN);
    autoReplies.recordStaff('Eve@Desk.Example', T0 - 30 * MIN);
    autoReplies.recordStaff('eve@desk.example', T0 - 2 * HOUR);
    expect(autoReplies.countSince('eve@desk.example', T0 - HOUR)).toBe(1);
    expect(autoReplies.countStaffSince('EVE@desk.example', T0 - HOUR)).toBe(1);
    expect(autoReplies.countStaffSince('eve@desk.example', 0)).toBe(2);
  });
});
