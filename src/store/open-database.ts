import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TidingsError } from '../errors.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** `full` by default: a commit is on disk before the source message is acknowledged. */
  synchronous?: 'off' | 'normal' | 'full' | 'extra';
  busyTimeoutMs?: number;
  /**
   * Page cache in MiB (better-sqlite3 builds SQLite with 16 MB). A group commit of a few hundred
   * messages dirties several MB; once the cache is full SQLite spills pages into the WAL before the
   * commit and writes the hot ones (index and last leaf pages) again at the commit.
   */
  cacheMb?: number;
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  let db: Db;
  try {
    if (file !== ':memory:' && !options.readonly) mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new TidingsError('E_DB_OPEN', `database could not be opened: ${file}: ${(err as Error).message}`, { cause: err, details: { file } });
  }
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (file !== ':memory:' && !options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${(options.synchronous ?? 'full').toUpperCase()}`);
  db.pragma('foreign_keys = ON');
  if (options.cacheMb !== undefined) db.pragma(`cache_size = -${Math.max(1, Math.floor(options.cacheMb)) * 1024}`);
  return db;
}
