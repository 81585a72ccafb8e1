import type { IngestOutcome, OversizedMessage } from '../sources/mail-source.js';
import { positionKey } from './dedupe-keys.js';
import type { IngestDeps } from './ingest-deps.js';
import { quarantineEntry } from './quarantine-entry.js';

/**
 * Quarantines a message the source did not load because of its size: the row names where the
 * original is instead of holding its bytes. Its only key is its source position (there are no
 * bytes to hash), so the same position read again after a crash before the source was
 * acknowledged is a duplicate, not a second entry.
 */
export function quarantineOversized(deps: IngestDeps, m: OversizedMessage): IngestOutcome {
  const at = deps.now();
  const limit = deps.config.limits.max_message_bytes;
  const key = positionKey(m.position);
  if (!key) throw new Error('an oversized message needs a source position to be quarantined by reference');
  const outcome = quarantineEntry(deps, {
    keys: [key],
    entry: {
      receivedAt: at,
      source: m.position.source,
      sourceKey: m.position.key,
      reasonCode: 'E_MESSAGE_TOO_LARGE',
      reason: `message of ${m.size} bytes exceeds the limit of ${limit}; not loaded`,
      reference: { size: m.size, original: m.original },
    },
    eventData: { size: m.size },
  });
  if (outcome.status === 'quarantined') {
    deps.logger.warn({ event: 'ingest.quarantined', reason: 'E_MESSAGE_TOO_LARGE', size: m.size, limit, source: m.position.source, key: m.position.key }, 'message quarantined');
    deps.onIngested?.({ status: 'quarantined', class: 'unparseable' });
  }
  return outcome;
}
