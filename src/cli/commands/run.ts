import { startDaemon } from '../../app/daemon.js';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../log/logger.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { reportError } from '../report-error.js';
import { resolveConfigPath } from '../config-path.js';

export interface RunOptions {
  config?: string | undefined;
  /** Tests stop the daemon through this instead of a signal. */
  stopSignal?: AbortSignal;
}

/**
 * The daemon in the foreground. SIGTERM or SIGINT stops taking mail and finishes the message and
 * the send in flight; a second signal exits at once (the commit protocol makes that safe, only
 * slower to recover).
 */
export async function runCommand(io: CliIo, opts: RunOptions): Promise<ExitCode> {
  let daemon;
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config));
    const logger = createLogger({ level: io.env.TIDINGS_LOG_LEVEL ?? config.log.level });
    daemon = await startDaemon({ config, logger, env: io.env });
    const d = daemon;
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ event: 'daemon.forced_exit', signal: sig }, 'second signal: exiting now');
          process.exit(EXIT.FAILURE);
        }
        logger.info({ event: 'daemon.signal', signal: sig }, 'signal received, shutting down');
        void d.stop().then(resolve, resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      opts.stopSignal?.addEventListener('abort', () => void d.stop().then(resolve, resolve), { once: true });
    });
    return EXIT.OK;
  } catch (err) {
    if (daemon) await daemon.stop().catch(() => undefined);
    return reportError(io, err);
  }
}
