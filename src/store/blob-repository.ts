import { createHash } from 'node:crypto';
import type { Db } from './open-database.js';

export interface PutBlobResult {
  sha256: string;
  size: number;
  /** False when the same bytes were already stored (content-addressed dedup). */
  created: boolean;
}

export interface BlobRepository {
  /**
   * Stores bytes under their sha256 (lower-case hex); storing the same bytes again is a no-op.
   * `sha256` is the digest when the caller already has it (computed off this thread by our own
   * code): it is trusted, not recomputed.
   */
  put(data: Uint8Array, sha256?: string): PutBlobResult;
  get(sha256: string): Buffer | undefined;
  has(sha256: string): boolean;
  size(sha256: string): number | undefined;
  /**
   * Deletes the bytes unless a message or an attachment still refers to them (after a redaction
   * pointed a message at new bytes, the old ones may still be another message's). True when deleted.
   */
  deleteIfUnreferenced(sha256: string): boolean;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function createBlobRepository(db: Db): BlobRepository {
  const insert = db.prepare<[string, number, Buffer]>('INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING');
  const select = db.prepare<[string], Buffer>('SELECT data FROM blobs WHERE sha256 = ?').pluck();
  const exists = db.prepare<[string], number>('SELECT 1 FROM blobs WHERE sha256 = ?').pluck();
  const selectSize = db.prepare<[string], number>('SELECT size FROM blobs WHERE sha256 = ?').pluck();
  const deleteUnreferenced = db.prepare<{ sha256: string }>(`DELETE FROM blobs WHERE sha256 = @sha256
    AND NOT EXISTS (SELECT 1 FROM messages WHERE raw_sha256 = @sha256) AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = @sha256)`);

  return {
    put(data, known) {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const sha256 = known ?? sha256Hex(buf);
      const created = insert.run(sha256, buf.length, buf).changes === 1;
      return { sha256, size: buf.length, created };
    },
    get: (sha256) => select.get(sha256),
    has: (sha256) => exists.get(sha256) !== undefined,
    size: (sha256) => selectSize.get(sha256),
    deleteIfUnreferenced: (sha256) => deleteUnreferenced.run({ sha256 }).changes === 1,
  };
}
