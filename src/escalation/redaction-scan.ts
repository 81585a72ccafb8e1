import { maskCredentials } from '../core/lifecycle/credentials.js';
import { redactRaw } from '../mail/redact-raw.js';
import type { EscalationDeps } from './escalation-scan.js';

const DAY_MS = 86_400_000;

/**
 * With redact_credentials_after_days set: masks credentials in the stored bodies (text, HTML,
 * visible text) and in the raw mail of tickets closed that many days ago, once per close (a reopen
 * clears the mark). The raw copy keeps its headers and MIME structure byte for byte; only its text
 * parts are rewritten (redact-raw.ts), so the message points at new content-addressed bytes and the
 * audit event records the old and new digest. The old bytes go unless another message (of a ticket
 * not yet redacted) shares them: that message keeps its copy until its own ticket is redacted.
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
        const raw = redactRawCopies(deps, tid);
        repos.tickets.markRedacted(tid, now);
        result.tickets += 1;
        result.messages += changed;
        if (changed > 0 || raw.length > 0) {
          repos.events.recordEvent({ ticketId: tid, at: now, type: 'ticket.redacted', actor: 'tidings', data: { messages: changed, raw } });
        }
      }
    });
    if (due.length < batch) break;
  }
  return result;
}

/** Each of the ticket's messages whose raw copy held a secret, with its digest before and after. */
function redactRawCopies(deps: EscalationDeps, ticketId: number): { messageRowId: number; from: string; to: string }[] {
  const { messages } = deps.repos;
  const changed: { messageRowId: number; from: string; to: string }[] = [];
  for (const m of messages.listByTicket(ticketId)) {
    const raw = messages.getRaw(m.id);
    if (raw === undefined) continue;
    const next = redactRaw(raw, maskCredentials);
    if (next === raw) continue;
    const digests = messages.replaceRaw(m.id, next);
    if (digests !== undefined) changed.push({ messageRowId: m.id, ...digests });
  }
  return changed;
}
