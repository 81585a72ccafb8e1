import { buildIngestDeps } from '../../app/build-ingest-deps.js';
import { openStore } from '../../app/open-store.js';
import { loadConfig } from '../../config/load-config.js';
import { ingestMessage } from '../../ingest/ingest-message.js';
import { commandLogger } from '../command-logger.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface IngestOptions {
  config?: string | undefined;
  /** The message bytes; the CLI reads them from stdin. */
  read: () => Promise<Buffer>;
}

/**
 * One message from an MTA pipe (e.g. Postfix `command` or a .forward). The exit code is the whole
 * protocol: 0 when the message is stored, quarantined or a duplicate (the MTA may forget it), 75
 * (EX_TEMPFAIL) for anything that might work later, so the MTA keeps the message and retries.
 */
export async function ingestCommand(io: CliIo, opts: IngestOptions): Promise<ExitCode> {
  let repos;
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const raw = await opts.read();
    const logger = commandLogger(io, config);
    repos = openStore(config);
    const deps = buildIngestDeps(config, repos, logger, io.env, io.now);
    const out = await ingestMessage(deps, raw, { source: 'stdin', key: '', receivedAt: io.now() });
    io.out(`${out.status}${out.ticketId !== undefined ? ` ticket ${config.tid.prefix}${out.ticketId}` : ''}${out.quarantineId !== undefined ? ` quarantine #${out.quarantineId}` : ''}`);
    return EXIT.OK;
  } catch (err) {
    reportError(io, err);
    return EXIT.TEMPFAIL;
  } finally {
    repos?.db.close();
  }
}
