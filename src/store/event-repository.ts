import type { Db } from './open-database.js';

export interface NewEvent {
  ticketId?: number | null;
  at: number;
  /** Stable event name: ticket.created, message.appended, ack.queued, ... */
  type: string;
  actor?: string | null;
  /** Serialised as JSON; never bodies or secrets. */
  data?: Record<string, unknown>;
}

export interface StoredEvent {
  id: number;
  ticketId: number | null;
  at: number;
  type: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export interface EventRepository {
  recordEvent(e: NewEvent): number;
  listByTicket(ticketId: number): StoredEvent[];
  /** Events of one type at or after `since`, oldest first. */
  listByType(type: string, since: number, limit: number): StoredEvent[];
}

interface EventRow {
  id: number;
  ticketId: number | null;
  at: number;
  type: string;
  actor: string | null;
  data: string;
}

const COLUMNS = 'id, ticket_id AS ticketId, at, type, actor, data';
const toEvent = (r: EventRow): StoredEvent => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> });

export function createEventRepository(db: Db): EventRepository {
  const insert = db.prepare<[number | null, number, string, string | null, string]>(
    'INSERT INTO events (ticket_id, at, type, actor, data) VALUES (?, ?, ?, ?, ?)',
  );
  const byTicket = db.prepare<[number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE ticket_id = ? ORDER BY id`);
  const byType = db.prepare<[string, number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE type = ? AND at >= ? ORDER BY at, id LIMIT ?`);
  return {
    recordEvent: (e) => Number(insert.run(e.ticketId ?? null, e.at, e.type, e.actor ?? null, JSON.stringify(e.data ?? {})).lastInsertRowid),
    listByTicket: (ticketId) => byTicket.all(ticketId).map(toEvent),
    listByType: (type, since, limit) => byType.all(type, since, limit).map(toEvent),
  };
}
