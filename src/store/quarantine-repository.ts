import type { Db } from './open-database.js';

export type QuarantineStatus = 'held' | 'reprocessed' | 'discarded';

export interface NewQuarantined {
  receivedAt: number;
  /** The source it came from, e.g. `imap:…/INBOX`, `maildir:./data/inbox`, `stdin`. */
  source: string;
  /** Its position there (the inbound key), when known. */
  sourceKey?: string | null;
  /** Stable reason code, e.g. E_MESSAGE_UNPARSEABLE, E_MESSAGE_TOO_LARGE, spam. */
  reasonCode: string;
  reason: string;
  /** The message's bytes; absent for one too large to load, which `original` then points at. */
  raw?: Uint8Array | undefined;
  /** Without raw: the message's size and where it is kept (the Maildir file, the IMAP folder and UID). */
  reference?: { size: number; original: string } | undefined;
}

/** A quarantine entry without its bytes (list view). */
export interface QuarantineEntry {
  id: number;
  receivedAt: number;
  source: string;
  sourceKey: string | null;
  reasonCode: string;
  reason: string;
  size: number;
  status: QuarantineStatus;
  reprocessedAt: number | null;
  /** Where the message is kept when its bytes are not in the database (too large to load); null otherwise. */
  original: string | null;
}

export interface QuarantinedMessage extends QuarantineEntry {
  /** Null for an entry kept by reference (see `original`): there is nothing to reprocess from. */
  raw: Buffer | null;
}

export interface QuarantineRepository {
  add(q: NewQuarantined): number;
  /** Oldest first; `status` filters (all statuses when omitted). Never loads the raw bytes. */
  list(options?: { status?: QuarantineStatus; limit?: number }): QuarantineEntry[];
  get(id: number): QuarantinedMessage | undefined;
  setStatus(id: number, status: QuarantineStatus, at: number): boolean;
  /** Deletes the entry; inbound keys that pointed at it keep deduplicating (their link becomes NULL). */
  delete(id: number): boolean;
}

const COLUMNS = `id, received_at AS receivedAt, source, source_key AS sourceKey, reason_code AS reasonCode, reason, size, status,
  reprocessed_at AS reprocessedAt, original`;

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function createQuarantineRepository(db: Db): QuarantineRepository {
  const insert = db.prepare<[number, string, string | null, string, string, number, string | null, Buffer | null]>(
    'INSERT INTO quarantine (received_at, source, source_key, reason_code, reason, size, original, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const listAll = db.prepare<[number], QuarantineEntry>(`SELECT ${COLUMNS} FROM quarantine ORDER BY id LIMIT ?`);
  const listByStatus = db.prepare<[string, number], QuarantineEntry>(`SELECT ${COLUMNS} FROM quarantine WHERE status = ? ORDER BY id LIMIT ?`);
  const byId = db.prepare<[number], QuarantinedMessage>(`SELECT ${COLUMNS}, raw FROM quarantine WHERE id = ?`);
  const updStatus = db.prepare<{ id: number; status: string; at: number }>(`
    UPDATE quarantine SET status = @status, reprocessed_at = CASE WHEN @status = 'reprocessed' THEN @at ELSE reprocessed_at END
    WHERE id = @id`);
  const del = db.prepare<[number]>('DELETE FROM quarantine WHERE id = ?');

  return {
    add(q) {
      const raw = q.raw ? toBuffer(q.raw) : null;
      const size = raw ? raw.length : q.reference?.size;
      if (size === undefined || (raw !== null) === (q.reference !== undefined)) throw new Error('a quarantine entry has either its raw bytes or a reference to the original');
      return Number(insert.run(q.receivedAt, q.source, q.sourceKey ?? null, q.reasonCode, q.reason, size, q.reference?.original ?? null, raw).lastInsertRowid);
    },
    list(options = {}) {
      const limit = options.limit ?? -1; // SQLite: a negative LIMIT means none
      return options.status ? listByStatus.all(options.status, limit) : listAll.all(limit);
    },
    get: (id) => byId.get(id),
    setStatus: (id, status, at) => updStatus.run({ id, status, at }).changes === 1,
    delete: (id) => del.run(id).changes === 1,
  };
}
