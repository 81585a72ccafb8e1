import type { Db } from './open-database.js';

export type ParticipantRole = 'requester' | 'cc' | 'licence';

export interface Participant {
  ticketId: number;
  address: string;
  name: string | null;
  role: ParticipantRole;
  addedAt: number;
}

export interface NewParticipant {
  ticketId: number;
  /** Compared case-insensitively: stored lower-case. */
  address: string;
  name?: string | null;
  role: ParticipantRole;
  at: number;
}

export interface ParticipantRepository {
  /** True when the address was added, false when it already was a participant (the first role is kept). */
  addParticipant(p: NewParticipant): boolean;
  isParticipant(ticketId: number, address: string): boolean;
  listParticipants(ticketId: number): Participant[];
}

export function createParticipantRepository(db: Db): ParticipantRepository {
  const insert = db.prepare<[number, string, string | null, string, number]>(
    'INSERT INTO participants (ticket_id, address, name, role, added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ticket_id, address) DO NOTHING',
  );
  const exists = db.prepare<[number, string], number>('SELECT 1 FROM participants WHERE ticket_id = ? AND address = ?').pluck();
  const list = db.prepare<[number], Participant>(
    'SELECT ticket_id AS ticketId, address, name, role, added_at AS addedAt FROM participants WHERE ticket_id = ? ORDER BY added_at, address',
  );
  return {
    addParticipant: (p) => insert.run(p.ticketId, p.address.toLowerCase(), p.name ?? null, p.role, p.at).changes === 1,
    isParticipant: (ticketId, address) => exists.get(ticketId, address.toLowerCase()) !== undefined,
    listParticipants: (ticketId) => list.all(ticketId),
  };
}
