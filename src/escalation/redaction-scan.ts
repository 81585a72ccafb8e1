import { maskCredentials } from '../core/lifecycle/credentials.js';
import type { EscalationDeps } from './escalation-scan.js';

const DAY_MS = 86_400_000;

/**
 * With redact_credentials_after_days set: masks credentials in the stored bodies (text, HTML,
 * visible text) of tickets closed that many days ago, once per close (a reopen clears the mark).
 * The raw message blobs are not rewritten.
 */
export function runRedactionScan(deps: EscalationDeps, now: number, batch = deps.config.escalation.batch): { tickets: number; messages: number } {
  const days = deps.config.redact_credentials_after_days;
  const result = { tickets: 0, messages: 0 };
  if (days === undefined) return result;
  const { repos } = deps;
  for (;;) {
    const due = repos.tickets.dueRedaction(now - days * DAY_MS, batch);
    if (due.length === 0) break;
    repos.transaction(() => {
      for (const tid of due) {
        const changed = repos.messages.redactBodies(tid, maskCredentials);
        repos.tickets.markRedacted(tid, now);
        result.tickets += 1;
        result.messages += changed;
        if (changed > 0) repos.events.recordEvent({ ticketId: tid, at: now, type: 'ticket.redacted', actor: 'tidings', data: { messages: changed } });
      }
    });
    if (due.length < batch) break;
  }
  return result;
}
