import type { Db } from './open-database.js';

/** Automatic answers per sender, for the cap that breaks mail loops. */
export interface AutoReplyRepository {
  record(address: string, at: number): void;
  /** Automatic answers to the address at or after `since`. */
  countSince(address: string, since: number): number;
  /** Forgets answers before `before`; returns how many rows went. */
  prune(before: number): number;
  /** An automatic answer to an authenticated staff member (command-error mail): the staff budget. */
  recordStaff(address: string, at: number): void;
  /** Automatic answers to the staff member at or after `since`; the client answers above are not counted. */
  countStaffSince(address: string, since: number): number;
}

export function createAutoReplyRepository(db: Db): AutoReplyRepository {
  const insert = db.prepare<[string, number]>('INSERT INTO auto_replies (address, at) VALUES (?, ?)');
  const count = db.prepare<[string, number], number>('SELECT count(*) FROM auto_replies WHERE address = ? AND at >= ?').pluck();
  const del = db.prepare<[number]>('DELETE FROM auto_replies WHERE at < ?');
  const insertStaff = db.prepare<[string, number]>('INSERT INTO staff_auto_replies (address, at) VALUES (?, ?)');
  const countStaff = db.prepare<[string, number], number>('SELECT count(*) FROM staff_auto_replies WHERE address = ? AND at >= ?').pluck();
  return {
    record(address, at) {
      insert.run(address.toLowerCase(), at);
    },
    countSince: (address, since) => count.get(address.toLowerCase(), since) ?? 0,
    prune: (before) => del.run(before).changes,
    recordStaff(address, at) {
      insertStaff.run(address.toLowerCase(), at);
    },
    countStaffSince: (address, since) => countStaff.get(address.toLowerCase(), since) ?? 0,
  };
}
