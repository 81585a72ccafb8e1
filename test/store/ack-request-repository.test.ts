import { describe, expect, it } from 'vitest';
import { freshRepos, HOUR, MIN, T0 } from './helpers.js';

describe('ack request repository', () => {
  it('counts the acknowledgements to an address within a window, and those for one request, case-insensitively', () => {
    const { ackRequests } = freshRepos();
    ackRequests.record('Ann@Client.Example', 'a', T0 - 2 * HOUR);
    ackRequests.record('ann@client.example', 'a', T0 - 30 * MIN);
    ackRequests.record('ann@client.example', 'b', T0 - MIN);
    ackRequests.record('bob@client.example', 'a', T0);
    expect(ackRequests.recentSince('ANN@client.example', 'a', T0 - HOUR)).toEqual({ total: 2, sameRequest: 1 });
    expect(ackRequests.recentSince('ann@client.example', 'a', T0 - 3 * HOUR)).toEqual({ total: 3, sameRequest: 2 });
    expect(ackRequests.recentSince('ann@client.example', 'c', T0 - HOUR)).toEqual({ total: 2, sameRequest: 0 });
    expect(ackRequests.recentSince('nobody@client.example', 'a', 0)).toEqual({ total: 0, sameRequest: 0 });
  });
});
