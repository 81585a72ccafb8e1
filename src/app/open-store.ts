import type { Config } from '../config/config.js';
import { migrate } from '../store/migrate.js';
import { openDatabase } from '../store/open-database.js';
import { createRepositories, type Repositories } from '../store/repositories.js';

/** Opens the configured database and brings its schema up to date; the daemon and CLI share it. */
export function openStore(config: Config): Repositories {
  const db = openDatabase(config.store.path, { synchronous: config.store.synchronous, busyTimeoutMs: config.store.busy_timeout_ms, cacheMb: config.store.cache_mb });
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return createRepositories(db);
}
