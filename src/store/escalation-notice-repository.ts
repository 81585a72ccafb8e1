import type { Db } from './open-database.js';

export interface NoticeKey {
  ticketId: number;
  cycle: number;
  /** e.g. "75%", "100%" */
  threshold: string;
}

export interface EscalationNotice extends NoticeKey {
  dueAt: number;
  sentAt: number | null;
  cancelledAt: number | null;
}

export interface DueNotice extends NoticeKey {
  dueAt: number;
}

export interface EscalationNoticeRepository {
  /**
   * Plans a threshold of a clock cycle (upsert). A notice already sent keeps its row untouched; an
   * unsent one gets the new due instant and is active again (level change recomputes the deadline).
   */
  schedule(n: NoticeKey & { dueAt: number }): void;
  /**
   * Exactly-once: true for the one caller that records this (ticket, cycle, threshold) as sent at `at`
   * (whether or not it was scheduled before), false when it was already sent or was cancelled.
   */
  tryRecord(n: NoticeKey & { dueAt: number; at: number }): boolean;
  /** Scheduled, unsent, uncancelled notices due at or before `now`, earliest first (partial index escalation_pending_due). */
  due(now: number, limit: number): DueNotice[];
  /** Cancels the unsent notices of a ticket (of one cycle when given): clock stopped, ticket closed. */
  cancelPending(ticketId: number, at: number, cycle?: number): number;
  get(key: NoticeKey): EscalationNotice | undefined;
  /** Pending notices of one ticket's cycle due at or before `now` (primary key prefix). */
  dueForCycle(ticketId: number, cycle: number, now: number): DueNotice[];
  /** Cancels one unsent notice (superseded by a later one, or its ticket no longer runs that clock). */
  cancel(key: NoticeKey, at: number): boolean;
  /** Every notice of a ticket, by cycle and due instant (tests, `tidings show`). */
  listByTicket(ticketId: number): EscalationNotice[];
}

export function createEscalationNoticeRepository(db: Db): EscalationNoticeRepository {
  const upsert = db.prepare<[number, number, string, number]>(`
    INSERT INTO escalation_notices (ticket_id, cycle, threshold, due_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (ticket_id, cycle, threshold) DO UPDATE SET due_at = excluded.due_at, cancelled_at = NULL WHERE sent_at IS NULL`);
  const record = db.prepare<[number, number, string, number, number]>(`
    INSERT INTO escalation_notices (ticket_id, cycle, threshold, due_at, sent_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (ticket_id, cycle, threshold) DO UPDATE SET sent_at = excluded.sent_at WHERE sent_at IS NULL AND cancelled_at IS NULL`);
  const dueQuery = db.prepare<[number, number], DueNotice>(`
    SELECT ticket_id AS ticketId, cycle, threshold, due_at AS dueAt FROM escalation_notices
    WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?`);
  const cancelAll = db.prepare<[number, number]>(
    'UPDATE escalation_notices SET cancelled_at = ? WHERE ticket_id = ? AND sent_at IS NULL AND cancelled_at IS NULL',
  );
  const cancelCycle = db.prepare<[number, number, number]>(
    'UPDATE escalation_notices SET cancelled_at = ? WHERE ticket_id = ? AND cycle = ? AND sent_at IS NULL AND cancelled_at IS NULL',
  );
  const byKey = db.prepare<[number, number, string], EscalationNotice>(`
    SELECT ticket_id AS ticketId, cycle, threshold, due_at AS dueAt, sent_at AS sentAt, cancelled_at AS cancelledAt
    FROM escalation_notices WHERE ticket_id = ? AND cycle = ? AND threshold = ?`);

  const dueCycle = db.prepare<[number, number, number], DueNotice>(`
    SELECT ticket_id AS ticketId, cycle, threshold, due_at AS dueAt FROM escalation_notices
    WHERE ticket_id = ? AND cycle = ? AND sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ? ORDER BY due_at`);
  const cancelOne = db.prepare<[number, number, number, string]>(
    'UPDATE escalation_notices SET cancelled_at = ? WHERE ticket_id = ? AND cycle = ? AND threshold = ? AND sent_at IS NULL AND cancelled_at IS NULL',
  );
  const byTicket = db.prepare<[number], EscalationNotice>(`
    SELECT ticket_id AS ticketId, cycle, threshold, due_at AS dueAt, sent_at AS sentAt, cancelled_at AS cancelledAt
    FROM escalation_notices WHERE ticket_id = ? ORDER BY cycle, due_at, threshold`);

  return {
    schedule(n) {
      upsert.run(n.ticketId, n.cycle, n.threshold, n.dueAt);
    },
    tryRecord: (n) => record.run(n.ticketId, n.cycle, n.threshold, n.dueAt, n.at).changes === 1,
    due: (now, limit) => dueQuery.all(now, limit),
    cancelPending: (ticketId, at, cycle) =>
      cycle === undefined ? cancelAll.run(at, ticketId).changes : cancelCycle.run(at, ticketId, cycle).changes,
    get: (key) => byKey.get(key.ticketId, key.cycle, key.threshold),
    dueForCycle: (ticketId, cycle, now) => dueCycle.all(ticketId, cycle, now),
    cancel: (key, at) => cancelOne.run(at, key.ticketId, key.cycle, key.threshold).changes === 1,
    listByTicket: (ticketId) => byTicket.all(ticketId),
  };
}
