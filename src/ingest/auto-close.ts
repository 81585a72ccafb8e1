import { autoCloseAt } from '../core/lifecycle/auto-close.js';
import type { IngestDeps } from './ingest-deps.js';

/**
 * The ticket now waits for the client (public answer, #pending): plans its auto-close from the
 * level's auto_close_days, or clears it when the level has none. Inside the caller's transaction.
 */
export function planAutoClose(deps: Pick<IngestDeps, 'config' | 'levels' | 'repos'>, tid: number, at: number): number | null {
  const ticket = deps.repos.tickets.findTicketByTid(tid);
  const days = ticket ? deps.config.levels[ticket.level]?.auto_close_days : undefined;
  if (!ticket || days === undefined || days <= 0 || ticket.status !== 'awaiting-client') {
    deps.repos.tickets.setAutoCloseAt(tid, null);
    return null;
  }
  const lc = deps.levels.level(ticket.level);
  const when = autoCloseAt(at, days, lc.calendar ?? deps.levels.defaultCalendar);
  deps.repos.tickets.setAutoCloseAt(tid, when);
  return when;
}
