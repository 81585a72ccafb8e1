import { buildIngestDeps } from '../../app/build-ingest-deps.js';
import { openStore } from '../../app/open-store.js';
import { loadConfig } from '../../config/load-config.js';
import { ingestMessage } from '../../ingest/ingest-message.js';
import { commandLogger } from '../command-logger.js';
import { TidingsError } from '../../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface ReprocessOptions {
  config?: string | undefined;
  all?: boolean | undefined;
  list?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * Feeds quarantined messages back through the pipeline, e.g. after a parser fix or to release a
 * false spam verdict (reprocessing skips the spam check: the admin looked at it). Mail in our own
 * name held for failing authentication (E_STAFF_AUTH_FAILED) is released as a client message, never
 * as staff mail: the admin vouches that it is not spam, not that it came from the staff member.
 * Entries that still cannot be processed stay held. An entry kept by reference (a message too
 * large to load) has no bytes here: it is named with where the original is, and stays held.
 */
export async function reprocessCommand(io: CliIo, idText: string | undefined, opts: ReprocessOptions): Promise<ExitCode> {
  let repos;
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    repos = openStore(config);
    const held = repos.quarantine.list({ status: 'held', limit: 100_000 });
    if (opts.list || (!opts.all && idText === undefined)) {
      if (opts.json) printJson(io, held);
      else if (held.length === 0) io.out('quarantine is empty');
      else {
        for (const q of held) {
          io.out(`#${q.id} ${new Date(q.receivedAt).toISOString()} ${q.reasonCode}: ${q.reason} (${q.size} bytes, ${q.source})`);
          if (q.original !== null) io.out(`    not stored, kept at ${q.original}`);
        }
      }
      return EXIT.OK;
    }
    let ids: number[];
    if (opts.all) ids = held.map((q) => q.id);
    else {
      const id = Number(idText);
      if (!Number.isSafeInteger(id) || id <= 0) throw new TidingsError('E_USAGE', `not a quarantine id: "${idText}"`);
      ids = [id];
    }
    const logger = commandLogger(io, config);
    const deps = buildIngestDeps(config, repos, logger, io.env, io.now);
    const results: { id: number; status: string; ticketId?: number; original?: string }[] = [];
    for (const id of ids) {
      const entry = repos.quarantine.get(id);
      if (!entry) throw new TidingsError('E_USAGE', `no quarantine entry #${id}`);
      if (entry.status !== 'held') {
        results.push({ id, status: `already ${entry.status}` });
        continue;
      }
      if (entry.raw === null) {
        // Too large to load when it arrived: its bytes were never read into the database.
        results.push({ id, status: 'cannot be reprocessed from the database', original: entry.original ?? 'unknown' });
        continue;
      }
      const out = await ingestMessage(deps, entry.raw, { source: 'reprocess', key: `quarantine:${id}`, receivedAt: entry.receivedAt }, { reprocessOf: id });
      results.push({ id, status: out.status === 'quarantined' ? 'still quarantined' : out.status, ...(out.ticketId !== undefined ? { ticketId: out.ticketId } : {}) });
    }
    if (opts.json) printJson(io, results);
    else {
      for (const r of results) {
        const where = r.original !== undefined ? `: the message was too large to store; the original is kept at ${r.original}` : '';
        io.out(`#${r.id} ${r.status}${r.ticketId !== undefined ? ` → ${config.tid.prefix}${r.ticketId}` : ''}${where}`);
      }
    }
    return results.some((r) => r.status === 'still quarantined' || r.original !== undefined) ? EXIT.FAILURE : EXIT.OK;
  } catch (err) {
    return reportError(io, err);
  } finally {
    repos?.db.close();
  }
}
