import type { Db } from './open-database.js';

export const TICKET_STATUSES = ['new', 'awaiting-staff', 'awaiting-client', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A ticket row; every instant is UTC epoch milliseconds. `tid` is the ticket number. */
export interface Ticket {
  tid: number;
  status: TicketStatus;
  subject: string;
  requester: string;
  requesterName: string | null;
  licenceKey: string | null;
  level: string;
  levelReason: string | null;
  language: string;
  assignee: string | null;
  linkedTicketId: number | null;
  cycle: number;
  clockStartedAt: number | null;
  responseDueAt: number | null;
  firstResponseAt: number | null;
  ackSentAt: number | null;
  rating: number | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export interface NewTicket {
  subject: string;
  /** Lower-cased here; the schema refuses anything else. */
  requester: string;
  requesterName?: string | null;
  licenceKey?: string | null;
  level: string;
  levelReason?: string | null;
  language?: string;
  assignee?: string | null;
  linkedTicketId?: number | null;
  status?: Exclude<TicketStatus, 'closed'>;
  clockStartedAt?: number | null;
  responseDueAt?: number | null;
  /** Creation instant (epoch ms). */
  at: number;
}

export interface ClockUpdate {
  clockStartedAt: number | null;
  responseDueAt: number | null;
  /** Sets the cycle number when given (a new cycle starts); otherwise the cycle is kept. */
  cycle?: number;
}

export interface TicketRepository {
  /** Inserts a ticket; its TID is allocated by the insert itself (AUTOINCREMENT: increasing, never reused). */
  createTicket(t: NewTicket): Ticket;
  findTicketByTid(tid: number): Ticket | undefined;
  /** Closing sets closed_at (kept if already closed); any other status clears it (reopen). */
  setStatus(tid: number, status: TicketStatus, at: number): boolean;
  setDeadline(tid: number, clock: ClockUpdate, at: number): boolean;
  setLevel(tid: number, level: string, reason: string | null, at: number): boolean;
  setAssignee(tid: number, assignee: string | null, at: number): boolean;
  markAckSent(tid: number, at: number): boolean;
  /** Records the first public staff answer; later calls keep the first instant. */
  markFirstResponse(tid: number, at: number): boolean;
  setRating(tid: number, rating: number, at: number): boolean;
  /** Open tickets, earliest deadline first (tickets without a running clock come first). */
  listOpenByDue(limit: number): Ticket[];
  /** Plans (or with null clears) the instant a ticket waiting for the client closes by itself. */
  setAutoCloseAt(tid: number, autoCloseAt: number | null): boolean;
  /** Tickets whose auto-close instant is at or before `now`, earliest first (partial index tickets_auto_close). */
  dueAutoClose(now: number, limit: number): { tid: number; autoCloseAt: number }[];
  /** Closed tickets closed at or before `closedBefore` whose bodies are not redacted yet (partial index tickets_redact_pending). */
  dueRedaction(closedBefore: number, limit: number): number[];
  markRedacted(tid: number, at: number): boolean;
}

const COLUMNS = `id AS tid, status, subject, requester, requester_name AS requesterName, licence_key AS licenceKey,
  level, level_reason AS levelReason, language, assignee, linked_ticket_id AS linkedTicketId, cycle,
  clock_started_at AS clockStartedAt, response_due_at AS responseDueAt, first_response_at AS firstResponseAt,
  ack_sent_at AS ackSentAt, rating, created_at AS createdAt, updated_at AS updatedAt, closed_at AS closedAt`;

/** The columns an insert sets: the ticket's own fields plus the status and the creation instant. */
type InsertParams = Pick<
  Ticket,
  'subject' | 'requester' | 'requesterName' | 'licenceKey' | 'level' | 'levelReason' | 'language' | 'assignee' | 'linkedTicketId' | 'clockStartedAt' | 'responseDueAt'
> & { status: string; at: number };

export function createTicketRepository(db: Db): TicketRepository {
  const insert = db.prepare<InsertParams, Ticket>(`
    INSERT INTO tickets (subject, requester, requester_name, licence_key, level, level_reason, language, assignee,
                         linked_ticket_id, status, clock_started_at, response_due_at, created_at, updated_at)
    VALUES (@subject, @requester, @requesterName, @licenceKey, @level, @levelReason, @language, @assignee,
            @linkedTicketId, @status, @clockStartedAt, @responseDueAt, @at, @at)
    RETURNING ${COLUMNS}`);
  const byTid = db.prepare<[number], Ticket>(`SELECT ${COLUMNS} FROM tickets WHERE id = ?`);
  const updStatus = db.prepare<{ tid: number; status: string; at: number }>(`
    UPDATE tickets SET status = @status,
      closed_at = CASE WHEN @status = 'closed' THEN coalesce(closed_at, @at) ELSE NULL END,
      redacted_at = CASE WHEN @status = 'closed' THEN redacted_at ELSE NULL END,
      updated_at = @at
    WHERE id = @tid`);
  const updClock = db.prepare<{ tid: number; started: number | null; due: number | null; cycle: number | null; at: number }>(`
    UPDATE tickets SET clock_started_at = @started, response_due_at = @due, cycle = coalesce(@cycle, cycle), updated_at = @at
    WHERE id = @tid`);
  const updLevel = db.prepare<[string, string | null, number, number]>('UPDATE tickets SET level = ?, level_reason = ?, updated_at = ? WHERE id = ?');
  const updAssignee = db.prepare<[string | null, number, number]>('UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ?');
  const updAck = db.prepare<[number, number, number]>('UPDATE tickets SET ack_sent_at = coalesce(ack_sent_at, ?), updated_at = ? WHERE id = ?');
  const updFirst = db.prepare<[number, number, number]>('UPDATE tickets SET first_response_at = coalesce(first_response_at, ?), updated_at = ? WHERE id = ?');
  const updRating = db.prepare<[number, number, number]>('UPDATE tickets SET rating = ?, updated_at = ? WHERE id = ?');
  const updAutoClose = db.prepare<[number | null, number]>('UPDATE tickets SET auto_close_at = ? WHERE id = ?');
  const autoCloseDue = db.prepare<[number, number], { tid: number; autoCloseAt: number }>(
    'SELECT id AS tid, auto_close_at AS autoCloseAt FROM tickets WHERE auto_close_at IS NOT NULL AND auto_close_at <= ? ORDER BY auto_close_at LIMIT ?',
  );
  const redactDue = db
    .prepare<[number, number], number>(`SELECT id FROM tickets WHERE status = 'closed' AND redacted_at IS NULL AND closed_at <= ? ORDER BY closed_at LIMIT ?`)
    .pluck();
  const updRedacted = db.prepare<[number, number]>('UPDATE tickets SET redacted_at = ? WHERE id = ?');
  const openByDue = db.prepare<[number], Ticket>(`SELECT ${COLUMNS} FROM tickets WHERE status <> 'closed' ORDER BY response_due_at IS NULL, response_due_at, id LIMIT ?`);

  return {
    createTicket(t) {
      const row = insert.get({
        subject: t.subject,
        requester: t.requester.toLowerCase(),
        requesterName: t.requesterName ?? null,
        licenceKey: t.licenceKey ?? null,
        level: t.level,
        levelReason: t.levelReason ?? null,
        language: t.language ?? 'en',
        assignee: t.assignee ?? null,
        linkedTicketId: t.linkedTicketId ?? null,
        status: t.status ?? 'new',
        clockStartedAt: t.clockStartedAt ?? null,
        responseDueAt: t.responseDueAt ?? null,
        at: t.at,
      });
      if (!row) throw new Error('ticket insert returned no row');
      return row;
    },
    findTicketByTid: (tid) => byTid.get(tid),
    setStatus: (tid, status, at) => updStatus.run({ tid, status, at }).changes === 1,
    setAutoCloseAt: (tid, autoCloseAt) => updAutoClose.run(autoCloseAt, tid).changes === 1,
    dueAutoClose: (now, limit) => autoCloseDue.all(now, limit),
    dueRedaction: (closedBefore, limit) => redactDue.all(closedBefore, limit),
    markRedacted: (tid, at) => updRedacted.run(at, tid).changes === 1,
    setDeadline: (tid, clock, at) =>
      updClock.run({ tid, started: clock.clockStartedAt, due: clock.responseDueAt, cycle: clock.cycle ?? null, at }).changes === 1,
    setLevel: (tid, level, reason, at) => updLevel.run(level, reason, at, tid).changes === 1,
    setAssignee: (tid, assignee, at) => updAssignee.run(assignee, at, tid).changes === 1,
    markAckSent: (tid, at) => updAck.run(at, at, tid).changes === 1,
    markFirstResponse: (tid, at) => updFirst.run(at, at, tid).changes === 1,
    setRating: (tid, rating, at) => updRating.run(rating, at, tid).changes === 1,
    listOpenByDue: (limit) => openByDue.all(limit),
  };
}
