import type { CycleEvent } from '../core/reports/clock-cycles.js';
import type { Db } from './open-database.js';

export interface ReportTicketRow {
  tid: number;
  level: string;
  rating: number | null;
  /** The ticket's clock events in audit order, for clockCycles. */
  events: CycleEvent[];
}

interface EventRow {
  tid: number;
  type: string;
  at: number;
  newCycle: number | null;
  dueAt: number | null;
  level: string | null;
  toLevel: string | null;
  unchanged: number | null;
  receivedAt: number | null;
}

// The event names that start, move, answer or stop a response clock (client-message.ts, staff-message.ts).
const CLOCK_EVENTS = ['ticket.created', 'message.appended', 'ticket.reopened', 'staff.replied', 'command.level', 'command.pending', 'command.close'];

/**
 * The tickets created in [from, to) with their clock events. A cycle starts at the client message's
 * arrival (received_at), which is what the deadline was computed from; other events at their own time.
 */
export function readReportTickets(db: Db, from: number, to: number): ReportTicketRow[] {
  const tickets = db
    .prepare<[number, number], { tid: number; level: string; rating: number | null }>(
      'SELECT id AS tid, level, rating FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY id',
    )
    .all(from, to);
  const events = db
    .prepare<(number | string)[], EventRow>(
      `SELECT e.ticket_id AS tid, e.type, e.at,
              json_extract(e.data, '$.newCycle') AS newCycle,
              json_extract(e.data, '$.responseDueAt') AS dueAt,
              json_extract(e.data, '$.level') AS level,
              json_extract(e.data, '$.to') AS toLevel,
              json_extract(e.data, '$.unchanged') AS unchanged,
              m.received_at AS receivedAt
       FROM events e
       JOIN tickets t ON t.id = e.ticket_id
       LEFT JOIN messages m ON m.id = json_extract(e.data, '$.messageRowId')
       WHERE t.created_at >= ? AND t.created_at < ?
         AND e.type IN (${CLOCK_EVENTS.map(() => '?').join(', ')})
       ORDER BY e.ticket_id, e.id`,
    )
    .all(from, to, ...CLOCK_EVENTS);
  const byTicket = new Map<number, CycleEvent[]>();
  for (const e of events) {
    const c = cycleEvent(e);
    if (c === undefined) continue;
    const list = byTicket.get(e.tid) ?? [];
    list.push(c);
    byTicket.set(e.tid, list);
  }
  return tickets.map((t) => ({ ...t, events: byTicket.get(t.tid) ?? [] }));
}

function cycleEvent(e: EventRow): CycleEvent | undefined {
  switch (e.type) {
    case 'ticket.created':
      if (e.dueAt === null) return undefined;
      return { kind: 'start', clockStart: e.receivedAt ?? e.at, dueAt: e.dueAt, level: e.level ?? undefined };
    case 'message.appended':
    case 'ticket.reopened':
      if (e.newCycle !== 1 || e.dueAt === null) return undefined;
      return { kind: 'start', clockStart: e.receivedAt ?? e.at, dueAt: e.dueAt };
    case 'staff.replied':
      return { kind: 'answer', at: e.at };
    case 'command.level':
      // A repeated #level to the level the ticket has moves nothing.
      if (e.unchanged === 1 || e.toLevel === null) return undefined;
      return { kind: 'level', at: e.at, level: e.toLevel, dueAt: e.dueAt };
    case 'command.pending':
    case 'command.close':
      return { kind: 'stop', at: e.at };
    default:
      return undefined;
  }
}
