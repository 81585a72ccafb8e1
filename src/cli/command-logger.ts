import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { CliIo } from './io.js';

/** The logger of a command that runs the pipeline: the config's `log` settings, TIDINGS_LOG_LEVEL over its level. */
export function commandLogger(io: CliIo, config: Config): Logger {
  return createLogger({ level: io.env.TIDINGS_LOG_LEVEL ?? config.log.level, format: config.log.format, file: config.log.file });
}
