import type { IngestOutcome } from '../sources/mail-source.js';
import type { NewQuarantined } from '../store/quarantine-repository.js';
import type { IngestDeps } from './ingest-deps.js';

/**
 * Stores one quarantine entry with the dedupe keys that lead to it, in its own transaction: a key
 * already known makes the message a duplicate (read again after a crash before the source was
 * acknowledged), never a second entry.
 */
export function quarantineEntry(deps: Pick<IngestDeps, 'repos'>, e: { keys: readonly string[]; entry: NewQuarantined; eventData?: Record<string, unknown> }): IngestOutcome {
  const { repos } = deps;
  const at = e.entry.receivedAt;
  return repos.transaction((): IngestOutcome => {
    if (e.keys.some((k) => repos.inboundKeys.hasInboundKey(k))) return { status: 'duplicate' };
    const id = repos.quarantine.add(e.entry);
    for (const k of e.keys) repos.inboundKeys.tryInsertInboundKey(k, at, { quarantineId: id });
    repos.events.recordEvent({ at, type: 'message.quarantined', data: { quarantineId: id, reason: e.entry.reasonCode, ...e.eventData } });
    return { status: 'quarantined', quarantineId: id };
  });
}
