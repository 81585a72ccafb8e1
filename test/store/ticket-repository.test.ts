import { describe, expect, it } from 'vitest';
import { freshRepos, HOUR, MIN, newTicket, T0, thrown } from './helpers.js';

describe('ticket repository', () => {
  it('allocates increasing TIDs starting at 1', () => {
    const repos = freshRepos();
    const tids = Array.from({ length: 5 }, (_, i) => newTicket(repos, { at: T0 + i }).tid);
    expect(tids).toEqual([1, 2, 3, 4, 5]);
  });

  it('never reuses the TID of a deleted ticket (AUTOINCREMENT)', () => {
    const repos = freshRepos();
    newTicket(repos);
    const last = newTicket(repos).tid;
    repos.db.prepare('DELETE FROM tickets WHERE id = ?').run(last);
    expect(newTicket(repos).tid).toBe(last + 1);
  });

  it('allocates distinct TIDs inside one transaction', () => {
    const repos = freshRepos();
    const [a, b] = repos.transaction(() => [newTicket(repos).tid, newTicket(repos).tid]);
    expect(b).toBe(a! + 1);
  });

  it('stores and returns every field, with defaults and a lower-cased requester', () => {
    const repos = freshRepos();
    const t = repos.tickets.createTicket({
      subject: 'Cannot log in',
      requester: 'Ann@Client.Example',
      requesterName: 'Ann',
      licenceKey: 'BX-1001',
      level: 'partner-selfhosted',
      levelReason: 'licence BX-1001',
      at: T0,
      clockStartedAt: T0,
      responseDueAt: T0 + 24 * HOUR,
    });
    expect(t).toEqual({
      tid: 1,
      status: 'new',
      subject: 'Cannot log in',
      requester: 'ann@client.example',
      requesterName: 'Ann',
      licenceKey: 'BX-1001',
      level: 'partner-selfhosted',
      levelReason: 'licence BX-1001',
      language: 'en',
      assignee: null,
      linkedTicketId: null,
      cycle: 1,
      clockStartedAt: T0,
      responseDueAt: T0 + 24 * HOUR,
      firstResponseAt: null,
      ackSentAt: null,
      rating: null,
      createdAt: T0,
      updatedAt: T0,
      closedAt: null,
    });
    expect(repos.tickets.findTicketByTid(1)).toEqual(t);
    expect(repos.tickets.findTicketByTid(2)).toBeUndefined();
  });

  it('closes with closed_at and clears it on reopen', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    expect(repos.tickets.setStatus(tid, 'awaiting-client', T0 + MIN)).toBe(true);
    expect(repos.tickets.setStatus(tid, 'closed', T0 + 2 * MIN)).toBe(true);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({ status: 'closed', closedAt: T0 + 2 * MIN, updatedAt: T0 + 2 * MIN });
    // closing again keeps the first close instant
    repos.tickets.setStatus(tid, 'closed', T0 + 3 * MIN);
    expect(repos.tickets.findTicketByTid(tid)?.closedAt).toBe(T0 + 2 * MIN);
    repos.tickets.setStatus(tid, 'awaiting-staff', T0 + 4 * MIN);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({ status: 'awaiting-staff', closedAt: null });
    expect(repos.tickets.setStatus(999, 'closed', T0)).toBe(false);
  });

  it('refuses an unknown status', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    expect(thrown(() => repos.tickets.setStatus(tid, 'open' as never, T0)).message).toMatch(/CHECK constraint failed/);
  });

  it('sets and clears the deadline; a new cycle is set explicitly', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    repos.tickets.setDeadline(tid, { clockStartedAt: T0, responseDueAt: T0 + 8 * HOUR }, T0);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({ cycle: 1, clockStartedAt: T0, responseDueAt: T0 + 8 * HOUR });
    repos.tickets.setDeadline(tid, { clockStartedAt: null, responseDueAt: null }, T0 + HOUR);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({ cycle: 1, clockStartedAt: null, responseDueAt: null, updatedAt: T0 + HOUR });
    repos.tickets.setDeadline(tid, { clockStartedAt: T0 + 2 * HOUR, responseDueAt: T0 + 10 * HOUR, cycle: 2 }, T0 + 2 * HOUR);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({ cycle: 2, clockStartedAt: T0 + 2 * HOUR, responseDueAt: T0 + 10 * HOUR });
    expect(repos.tickets.setDeadline(42, { clockStartedAt: null, responseDueAt: null }, T0)).toBe(false);
  });

  it('changes level, assignee, ack, first response and rating', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    repos.tickets.setLevel(tid, 'development', 'staff: #level development', T0 + 1);
    repos.tickets.setAssignee(tid, 'bob@desk.example', T0 + 2);
    repos.tickets.markAckSent(tid, T0 + 3);
    repos.tickets.markAckSent(tid, T0 + 30);
    repos.tickets.markFirstResponse(tid, T0 + 4);
    repos.tickets.markFirstResponse(tid, T0 + 40);
    repos.tickets.setRating(tid, 5, T0 + 5);
    expect(repos.tickets.findTicketByTid(tid)).toMatchObject({
      level: 'development',
      levelReason: 'staff: #level development',
      assignee: 'bob@desk.example',
      ackSentAt: T0 + 3,
      firstResponseAt: T0 + 4,
      rating: 5,
    });
    expect(() => repos.tickets.setRating(tid, 6, T0)).toThrow(/CHECK constraint failed/);
  });

  it('lists open tickets by deadline, stopped clocks last, closed ones left out', () => {
    const repos = freshRepos();
    const a = newTicket(repos, { responseDueAt: T0 + 3 * HOUR, clockStartedAt: T0 }).tid;
    const b = newTicket(repos, { responseDueAt: T0 + 1 * HOUR, clockStartedAt: T0 }).tid;
    const c = newTicket(repos).tid; // no clock
    const d = newTicket(repos, { responseDueAt: T0 + 2 * HOUR, clockStartedAt: T0 }).tid;
    repos.tickets.setStatus(d, 'closed', T0);
    expect(repos.tickets.listOpenByDue(10).map((t) => t.tid)).toEqual([b, a, c]);
    expect(repos.tickets.listOpenByDue(1).map((t) => t.tid)).toEqual([b]);
  });

  it('enforces the linked ticket foreign key', () => {
    const repos = freshRepos();
    expect(thrown(() => newTicket(repos, { linkedTicketId: 77 })).message).toMatch(/FOREIGN KEY constraint failed/);
    const first = newTicket(repos).tid;
    expect(newTicket(repos, { linkedTicketId: first }).linkedTicketId).toBe(first);
  });
});
