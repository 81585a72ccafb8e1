import { describe, expect, it } from 'vitest';
import { freshRepos, newTicket, T0 } from './helpers.js';

describe('participant repository', () => {
  it('adds a participant once and matches addresses case-insensitively', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    expect(repos.participants.addParticipant({ ticketId: tid, address: 'Ann@Client.Example', name: 'Ann', role: 'requester', at: T0 })).toBe(true);
    expect(repos.participants.addParticipant({ ticketId: tid, address: 'ann@client.example', role: 'cc', at: T0 + 1 })).toBe(false);
    expect(repos.participants.isParticipant(tid, 'ANN@client.example')).toBe(true);
    expect(repos.participants.isParticipant(tid, 'eve@evil.example')).toBe(false);
    expect(repos.participants.listParticipants(tid)).toEqual([
      { ticketId: tid, address: 'ann@client.example', name: 'Ann', role: 'requester', addedAt: T0 },
    ]);
  });

  it('keeps participants per ticket', () => {
    const repos = freshRepos();
    const a = newTicket(repos).tid;
    const b = newTicket(repos).tid;
    repos.participants.addParticipant({ ticketId: a, address: 'cc@client.example', role: 'cc', at: T0 });
    expect(repos.participants.isParticipant(a, 'cc@client.example')).toBe(true);
    expect(repos.participants.isParticipant(b, 'cc@client.example')).toBe(false);
  });

  it('enforces the ticket foreign key and the role enum', () => {
    const repos = freshRepos();
    expect(() => repos.participants.addParticipant({ ticketId: 5, address: 'a@b.example', role: 'cc', at: T0 })).toThrow(/FOREIGN KEY constraint failed/);
    const { tid } = newTicket(repos);
    expect(() => repos.participants.addParticipant({ ticketId: tid, address: 'a@b.example', role: 'staff' as never, at: T0 })).toThrow(
      /CHECK constraint failed/,
    );
  });
});
