import { planNotices } from '../core/escalation/plan.js';
import type { IngestDeps } from './ingest-deps.js';

/**
 * Plans the escalation notices of a running clock cycle, inside the caller's transaction: every
 * unsent notice of the ticket is cancelled first (an older cycle, or the thresholds of a level
 * the ticket has left), then this cycle's thresholds are (re)scheduled. A notice already sent
 * stays sent: (ticket, cycle, threshold) is notified at most once even when a level change moves
 * the deadline.
 */
export function scheduleEscalations(
  deps: Pick<IngestDeps, 'config' | 'levels' | 'repos'>,
  c: { ticketId: number; cycle: number; level: string; startMs: number; deadlineMs: number; at: number },
): number {
  const { repos } = deps;
  repos.escalations.cancelPending(c.ticketId, c.at);
  const rules = deps.config.levels[c.level]?.escalate ?? [];
  if (rules.length === 0) return 0;
  const lc = deps.levels.level(c.level);
  const planned = planNotices(rules, { startMs: c.startMs, deadlineMs: c.deadlineMs, term: lc.term, calendar: lc.calendar });
  for (const p of planned) repos.escalations.schedule({ ticketId: c.ticketId, cycle: c.cycle, threshold: p.threshold, dueAt: p.dueAt });
  return planned.length;
}

/** The clock stopped (public answer, #pending, #close): nothing of the ticket is due any more. */
export function cancelEscalations(deps: Pick<IngestDeps, 'repos'>, ticketId: number, at: number): number {
  return deps.repos.escalations.cancelPending(ticketId, at);
}
