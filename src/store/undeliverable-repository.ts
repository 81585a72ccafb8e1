import type { Db } from './open-database.js';

export interface UndeliverableAddress {
  address: string;
  /** Enhanced status code of the permanent failure, e.g. 5.1.1. */
  status: string;
  diagnostic: string | null;
  ticketId: number | null;
  markedAt: number;
}

/** Addresses a permanent bounce marked; no automatic mail goes to them. */
export interface UndeliverableRepository {
  mark(a: { address: string; status: string; diagnostic?: string | null; ticketId?: number | null; at: number }): void;
  get(address: string): UndeliverableAddress | undefined;
  isUndeliverable(address: string): boolean;
  /** Clears the mark (the address worked again, or an admin said so). */
  clear(address: string): boolean;
}

export function createUndeliverableRepository(db: Db): UndeliverableRepository {
  const upsert = db.prepare<[string, string, string | null, number | null, number]>(`
    INSERT INTO undeliverable_addresses (address, status, diagnostic, ticket_id, marked_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET status = excluded.status, diagnostic = excluded.diagnostic,
      ticket_id = excluded.ticket_id, marked_at = excluded.marked_at`);
  const select = db.prepare<[string], UndeliverableAddress>(
    'SELECT address, status, diagnostic, ticket_id AS ticketId, marked_at AS markedAt FROM undeliverable_addresses WHERE address = ?',
  );
  const del = db.prepare<[string]>('DELETE FROM undeliverable_addresses WHERE address = ?');
  return {
    mark(a) {
      upsert.run(a.address.toLowerCase(), a.status, a.diagnostic ?? null, a.ticketId ?? null, a.at);
    },
    get: (address) => select.get(address.toLowerCase()),
    isUndeliverable: (address) => select.get(address.toLowerCase()) !== undefined,
    clear: (address) => del.run(address.toLowerCase()).changes === 1,
  };
}
