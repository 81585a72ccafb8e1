import type { Db } from './open-database.js';

export interface SourceCursor {
  /** e.g. `imap:support@desk.example@127.0.0.1/INBOX` */
  source: string;
  uidvalidity: number | null;
  lastUid: number;
  updatedAt: number;
}

export interface SourceCursorRepository {
  getCursor(source: string): SourceCursor | undefined;
  /** Upsert. A new UIDVALIDITY is the caller's signal to start again from its lastUid (usually 0). */
  setCursor(source: string, cursor: { uidvalidity: number | null; lastUid: number }, at: number): void;
}

export function createSourceCursorRepository(db: Db): SourceCursorRepository {
  const select = db.prepare<[string], SourceCursor>(
    'SELECT source, uidvalidity, last_uid AS lastUid, updated_at AS updatedAt FROM source_cursors WHERE source = ?',
  );
  const upsert = db.prepare<[string, number | null, number, number]>(`
    INSERT INTO source_cursors (source, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (source) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`);
  return {
    getCursor: (source) => select.get(source),
    setCursor(source, cursor, at) {
      upsert.run(source, cursor.uidvalidity, cursor.lastUid, at);
    },
  };
}
