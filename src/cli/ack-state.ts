import { ackHoldText } from '../core/templates/ack-hold-text.js';
import type { StoredEvent } from '../store/event-repository.js';
import type { OutboxMail } from '../store/outbox-repository.js';

/** What became of a ticket's acknowledgement, as `tidings show` reports it. */
export type AckState =
  | { state: 'none' }
  | { state: 'queued'; attempts: number; lastError: string | null }
  | { state: 'sent'; at: number }
  | { state: 'failed'; at: number; error: string }
  | { state: 'held'; reason: string; limit?: number | undefined };

/**
 * The latest acknowledgement of a ticket: a reopen's acknowledgement (or its hold) replaces the
 * first one's state, since that is what the client has or lacks now (seed 4.12). The outbox row
 * says sent, still queued or failed for good; `ackSentAt` covers a ticket with no ack events.
 */
export function ackState(events: readonly StoredEvent[], outbox: (id: number) => OutboxMail | undefined, ackSentAt: number | null): AckState {
  const last = events.filter((e) => e.type === 'ack.queued' || e.type === 'ack.suppressed').at(-1);
  if (last?.type === 'ack.suppressed') {
    const limit = typeof last.data.limit === 'number' ? last.data.limit : undefined;
    return { state: 'held', reason: typeof last.data.reason === 'string' ? last.data.reason : 'unknown', limit };
  }
  const row = last && typeof last.data.outboxId === 'number' ? outbox(last.data.outboxId) : undefined;
  if (row?.status === 'sent' && row.sentAt !== null) return { state: 'sent', at: row.sentAt };
  if (row?.status === 'failed') return { state: 'failed', at: row.failedAt ?? row.createdAt, error: row.lastError ?? 'no error recorded' };
  if (row?.status === 'pending') return { state: 'queued', attempts: row.attempts, lastError: row.lastError };
  return ackSentAt !== null ? { state: 'sent', at: ackSentAt } : { state: 'none' };
}

/** One line's worth: `2026-11-23 10:00 CET (Europe/Berlin)`, `failed ... (550 ...)`, `held back (why)`, `not yet (...)`. */
export function ackStateText(s: AckState, time: (ms: number) => string): string {
  switch (s.state) {
    case 'sent':
      return time(s.at);
    case 'failed':
      return `failed ${time(s.at)} (${s.error})`;
    case 'held':
      return `held back (${ackHoldText('en', s)})`;
    case 'queued':
      return s.lastError === null ? 'not yet (queued)' : `not yet (attempt ${s.attempts} failed: ${s.lastError}; retrying)`;
    case 'none':
      return 'not yet';
  }
}
