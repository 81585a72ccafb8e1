import type { EscalationDeps } from './escalation-scan.js';
import { queueClosingMail } from '../ingest/lifecycle-mail.js';

/**
 * Closes the tickets whose auto-close instant has come (partial index tickets_auto_close), each with
 * its closing mail (rating request, credential reminder), in one transaction per batch. A ticket no
 * longer waiting for the client (the client wrote since) only has its stale instant cleared.
 */
export function runAutoCloseScan(deps: EscalationDeps, now: number, batch = deps.config.escalation.batch): { closed: number; cleared: number } {
  const { repos } = deps;
  const result = { closed: 0, cleared: 0 };
  for (;;) {
    const due = repos.tickets.dueAutoClose(now, batch);
    if (due.length === 0) break;
    repos.transaction(() => {
      for (const d of due) {
        const t = repos.tickets.findTicketByTid(d.tid);
        repos.tickets.setAutoCloseAt(d.tid, null);
        if (!t || t.status !== 'awaiting-client') {
          result.cleared += 1;
          continue;
        }
        repos.tickets.setDeadline(d.tid, { clockStartedAt: null, responseDueAt: null }, now);
        repos.escalations.cancelPending(d.tid, now);
        repos.tickets.setStatus(d.tid, 'closed', now);
        repos.events.recordEvent({ ticketId: d.tid, at: now, type: 'ticket.auto_closed', actor: 'tidings', data: { autoCloseAt: d.autoCloseAt } });
        queueClosingMail(deps, d.tid, now, { auto: true });
        result.closed += 1;
      }
    });
    if (due.length < batch) break;
  }
  if (result.closed > 0) deps.onOutboxEnqueued?.();
  return result;
}
