import { loadConfig } from '../../config/load-config.js';
import { migrate } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-database.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface MigrateOptions {
  config?: string | undefined;
  json?: boolean | undefined;
}

export function migrateCommand(io: CliIo, opts: MigrateOptions): ExitCode {
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const db = openDatabase(config.store.path, { synchronous: config.store.synchronous, busyTimeoutMs: config.store.busy_timeout_ms });
    try {
      const result = migrate(db);
      if (opts.json) printJson(io, { database: config.store.path, ...result });
      else if (result.applied.length === 0) io.out(`${config.store.path}: schema is current (version ${result.to})`);
      else io.out(`${config.store.path}: migrated ${result.from} → ${result.to} (${result.applied.join(', ')})`);
    } finally {
      db.close();
    }
    return EXIT.OK;
  } catch (err) {
    return reportError(io, err);
  }
}
