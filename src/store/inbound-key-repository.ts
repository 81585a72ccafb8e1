import type { Db } from './open-database.js';

export interface InboundKeyTarget {
  messageId?: number | null;
  quarantineId?: number | null;
}

export interface InboundKey {
  key: string;
  messageId: number | null;
  quarantineId: number | null;
  at: number;
}

/**
 * Exactly-once ingest keys, e.g. `src:imap:support@host/INBOX:<uidvalidity>:<uid>` and
 * `mid:<message-id>` (or `sha256:<hex>` of the raw bytes when there is no Message-ID).
 */
export interface InboundKeyRepository {
  /** True when the key is new (and now recorded); false when it was seen before. */
  tryInsertInboundKey(key: string, at: number, target?: InboundKeyTarget): boolean;
  hasInboundKey(key: string): boolean;
  getInboundKey(key: string): InboundKey | undefined;
  /** Points an already recorded key at the message or quarantine row it produced. */
  linkInboundKey(key: string, target: InboundKeyTarget): boolean;
}

export function createInboundKeyRepository(db: Db): InboundKeyRepository {
  const insert = db.prepare<[string, number | null, number | null, number]>(
    'INSERT INTO inbound_keys (key, message_id, quarantine_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  const select = db.prepare<[string], InboundKey>('SELECT key, message_id AS messageId, quarantine_id AS quarantineId, at FROM inbound_keys WHERE key = ?');
  const link = db.prepare<[number | null, number | null, string]>(
    'UPDATE inbound_keys SET message_id = coalesce(?, message_id), quarantine_id = coalesce(?, quarantine_id) WHERE key = ?',
  );
  return {
    tryInsertInboundKey: (key, at, target = {}) => insert.run(key, target.messageId ?? null, target.quarantineId ?? null, at).changes === 1,
    hasInboundKey: (key) => select.get(key) !== undefined,
    getInboundKey: (key) => select.get(key),
    linkInboundKey: (key, target) => link.run(target.messageId ?? null, target.quarantineId ?? null, key).changes === 1,
  };
}
