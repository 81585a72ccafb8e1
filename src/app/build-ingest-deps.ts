import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { hmacKey } from '../config/secrets.js';
import type { IngestDeps } from '../ingest/ingest-deps.js';
import { componentLogger } from '../log/logger.js';
import type { Repositories } from '../store/repositories.js';
import { buildLevelSelector } from './level-selector.js';
import { createRandomPool } from './random-pool.js';
import { buildServiceLevels } from './service-levels.js';

/**
 * Shared by `run`, `ingest` and `reprocess`: everything the pipeline needs over one store. Kept
 * apart from the daemon so the one-message commands do not load its sources, outbox and HTTP.
 */
export function buildIngestDeps(config: Config, repos: Repositories, logger: Logger, env: NodeJS.ProcessEnv, now: () => number): IngestDeps {
  const dataDir = config.store.path === ':memory:' ? path.join(config.dir, 'data') : path.dirname(config.store.path);
  const key = hmacKey({ env: config.security.hmac_key_env, file: config.security.hmac_key_file }, dataDir, env);
  return {
    config,
    levels: buildServiceLevels(config),
    selector: buildLevelSelector(config),
    repos,
    logger: componentLogger(logger, 'ingest'),
    now,
    hmacKeys: [key],
    randomBytes: createRandomPool(),
  };
}
