import { describe, expect, it } from 'vitest';
import { freshRepos, HOUR, newTicket, T0 } from './helpers.js';

describe('escalation notice repository', () => {
  it('records a (ticket, cycle, threshold) exactly once', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const n = { ticketId: tid, cycle: 1, threshold: '75%', dueAt: T0 + 6 * HOUR };
    expect(repos.escalations.tryRecord({ ...n, at: T0 + 6 * HOUR })).toBe(true);
    expect(repos.escalations.tryRecord({ ...n, at: T0 + 7 * HOUR })).toBe(false);
    expect(repos.escalations.get(n)).toEqual({ ...n, sentAt: T0 + 6 * HOUR, cancelledAt: null });
    // other threshold, other cycle: independent
    expect(repos.escalations.tryRecord({ ...n, threshold: '100%', at: T0 + 8 * HOUR })).toBe(true);
    expect(repos.escalations.tryRecord({ ...n, cycle: 2, at: T0 + 9 * HOUR })).toBe(true);
  });

  it('is exactly-once also when two transactions race on a scheduled notice (catch-up after downtime)', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const key = { ticketId: tid, cycle: 1, threshold: '100%' };
    repos.escalations.schedule({ ...key, dueAt: T0 + 8 * HOUR });
    const winners = [1, 2, 3].filter(() => repos.transaction(() => repos.escalations.tryRecord({ ...key, dueAt: T0 + 8 * HOUR, at: T0 + 20 * HOUR })));
    expect(winners).toHaveLength(1);
  });

  it('returns the due unsent notices, earliest first, and drops them once recorded', () => {
    const repos = freshRepos();
    const a = newTicket(repos).tid;
    const b = newTicket(repos).tid;
    repos.escalations.schedule({ ticketId: a, cycle: 1, threshold: '75%', dueAt: T0 + 6 * HOUR });
    repos.escalations.schedule({ ticketId: a, cycle: 1, threshold: '100%', dueAt: T0 + 8 * HOUR });
    repos.escalations.schedule({ ticketId: b, cycle: 1, threshold: '75%', dueAt: T0 + 3 * HOUR });
    expect(repos.escalations.due(T0, 10)).toEqual([]);
    expect(repos.escalations.due(T0 + 6 * HOUR, 10)).toEqual([
      { ticketId: b, cycle: 1, threshold: '75%', dueAt: T0 + 3 * HOUR },
      { ticketId: a, cycle: 1, threshold: '75%', dueAt: T0 + 6 * HOUR },
    ]);
    expect(repos.escalations.due(T0 + 24 * HOUR, 1)).toHaveLength(1);
    repos.escalations.tryRecord({ ticketId: b, cycle: 1, threshold: '75%', dueAt: T0 + 3 * HOUR, at: T0 + 6 * HOUR });
    expect(repos.escalations.due(T0 + 24 * HOUR, 10).map((n) => n.threshold)).toEqual(['75%', '100%']);
  });

  it('reschedules unsent notices (level change) but never a sent one', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const warn = { ticketId: tid, cycle: 1, threshold: '75%' };
    const breach = { ticketId: tid, cycle: 1, threshold: '100%' };
    repos.escalations.schedule({ ...warn, dueAt: T0 + 6 * HOUR });
    repos.escalations.schedule({ ...breach, dueAt: T0 + 8 * HOUR });
    repos.escalations.tryRecord({ ...warn, dueAt: T0 + 6 * HOUR, at: T0 + 6 * HOUR });
    repos.escalations.schedule({ ...warn, dueAt: T0 + 30 * HOUR });
    repos.escalations.schedule({ ...breach, dueAt: T0 + 40 * HOUR });
    expect(repos.escalations.get(warn)).toMatchObject({ dueAt: T0 + 6 * HOUR, sentAt: T0 + 6 * HOUR });
    expect(repos.escalations.get(breach)).toMatchObject({ dueAt: T0 + 40 * HOUR, sentAt: null });
  });

  it('cancels pending notices (clock stopped): they are neither due nor recordable until rescheduled', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    repos.escalations.schedule({ ticketId: tid, cycle: 1, threshold: '75%', dueAt: T0 + HOUR });
    repos.escalations.schedule({ ticketId: tid, cycle: 2, threshold: '75%', dueAt: T0 + 2 * HOUR });
    expect(repos.escalations.cancelPending(tid, T0, 1)).toBe(1);
    expect(repos.escalations.due(T0 + 3 * HOUR, 10).map((n) => n.cycle)).toEqual([2]);
    expect(repos.escalations.cancelPending(tid, T0)).toBe(1);
    expect(repos.escalations.due(T0 + 3 * HOUR, 10)).toEqual([]);
    expect(repos.escalations.tryRecord({ ticketId: tid, cycle: 1, threshold: '75%', dueAt: T0 + HOUR, at: T0 + 3 * HOUR })).toBe(false);
    repos.escalations.schedule({ ticketId: tid, cycle: 1, threshold: '75%', dueAt: T0 + 4 * HOUR });
    expect(repos.escalations.due(T0 + 4 * HOUR, 10)).toHaveLength(1);
  });

  it('reads due notices through the partial index', () => {
    const repos = freshRepos();
    const plan = repos.db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT ticket_id, cycle, threshold, due_at FROM escalation_notices WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?',
      )
      .all(T0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX escalation_pending_due/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('enforces the ticket foreign key', () => {
    const repos = freshRepos();
    expect(() => repos.escalations.schedule({ ticketId: 8, cycle: 1, threshold: '75%', dueAt: T0 })).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => repos.escalations.tryRecord({ ticketId: 8, cycle: 1, threshold: '75%', dueAt: T0, at: T0 })).toThrow(/FOREIGN KEY constraint failed/);
  });
});
