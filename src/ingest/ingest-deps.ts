import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { ParseFn } from '../mail/parse-message.js';
import type { LevelSelector } from '../core/selection/select-level.js';
import type { ServiceLevels } from '../app/service-levels.js';
import type { Repositories } from '../store/repositories.js';

/** Everything the ingest pipeline needs, passed as one object from the composition root. */
export interface IngestDeps {
  config: Config;
  levels: ServiceLevels;
  selector: LevelSelector;
  repos: Repositories;
  logger: Logger;
  now: () => number;
  /** Current Message-ID signing key first; older keys after it still verify. */
  hmacKeys: readonly Buffer[];
  randomBytes: (n: number) => Uint8Array;
  /** Parses raw bytes (a parser thread in the daemon); parseMessage on the calling thread when unset. */
  parse?: ParseFn;
  /** Called after a commit that queued mail, so the outbox loop sends at once. */
  onOutboxEnqueued?: () => void;
  /** Called after every message is handled (metrics); `class` is the classification, e.g. client, spam. */
  onIngested?: (r: { status: 'stored' | 'duplicate' | 'quarantined'; class: string }) => void;
}
