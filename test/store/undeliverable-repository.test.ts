import { describe, expect, it } from 'vitest';
import { freshRepos, newTicket, T0 } from './helpers.js';

describe('undeliverable repository', () => {
  it('marks, updates and clears an address, case-insensitively', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    expect(repos.undeliverable.isUndeliverable('gone@client.example')).toBe(false);
    repos.undeliverable.mark({ address: 'Gone@Client.Example', status: '5.1.1', diagnostic: '550 no such user', ticketId: tid, at: T0 });
    expect(repos.undeliverable.isUndeliverable('gone@client.example')).toBe(true);
    repos.undeliverable.mark({ address: 'gone@client.example', status: '5.2.1', at: T0 + 1 });
    expect(repos.undeliverable.get('GONE@client.example')).toEqual({
      address: 'gone@client.example', status: '5.2.1', diagnostic: null, ticketId: null, markedAt: T0 + 1,
    });
    expect(repos.undeliverable.clear('gone@client.example')).toBe(true);
    expect(repos.undeliverable.clear('gone@client.example')).toBe(false);
  });

  it('enforces the ticket foreign key', () => {
    const repos = freshRepos();
    expect(() => repos.undeliverable.mark({ address: 'x@y.example', status: '5.1.1', ticketId: 77, at: T0 })).toThrow(/FOREIGN KEY constraint failed/);
  });
});
