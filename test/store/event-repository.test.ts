import { describe, expect, it } from 'vitest';
import { freshRepos, newTicket, T0 } from './helpers.js';

describe('event repository', () => {
  it('records events with JSON data and lists them per ticket in order', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const e1 = repos.events.recordEvent({ ticketId: tid, at: T0, type: 'ticket.created', data: { level: 'vip', reason: { coupon: 'V-1' } } });
    const e2 = repos.events.recordEvent({ ticketId: tid, at: T0 + 1, type: 'ack.queued', actor: 'system' });
    repos.events.recordEvent({ at: T0 + 2, type: 'daemon.started' });
    expect(e2).toBeGreaterThan(e1);
    expect(repos.events.listByTicket(tid)).toEqual([
      { id: e1, ticketId: tid, at: T0, type: 'ticket.created', actor: null, data: { level: 'vip', reason: { coupon: 'V-1' } } },
      { id: e2, ticketId: tid, at: T0 + 1, type: 'ack.queued', actor: 'system', data: {} },
    ]);
  });

  it('lists events of one type since an instant', () => {
    const repos = freshRepos();
    repos.events.recordEvent({ at: T0, type: 'outbox.failed' });
    repos.events.recordEvent({ at: T0 + 10, type: 'outbox.failed', data: { id: 2 } });
    repos.events.recordEvent({ at: T0 + 20, type: 'outbox.sent' });
    expect(repos.events.listByType('outbox.failed', T0 + 1, 10).map((e) => e.data)).toEqual([{ id: 2 }]);
  });

  it('enforces the ticket foreign key', () => {
    const repos = freshRepos();
    expect(() => repos.events.recordEvent({ ticketId: 404, at: T0, type: 'x' })).toThrow(/FOREIGN KEY constraint failed/);
  });
});
