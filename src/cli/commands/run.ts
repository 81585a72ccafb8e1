import { createConfigReloader } from '../../app/config-reload.js';
import { startDaemon } from '../../app/daemon.js';
import { loadConfig } from '../../config/load-config.js';
import { componentLogger } from '../../log/logger.js';
import { commandLogger } from '../command-logger.js';
import { shownPath } from '../../paths.js';
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
 * slower to recover). SIGHUP, or a change to any config file, reloads the configuration: validated
 * first, an invalid one keeps the config in force (every error logged with file:line), a valid one
 * applies to the next message.
 */
export async function runCommand(io: CliIo, opts: RunOptions): Promise<ExitCode> {
  let daemon;
  try {
    const config = loadConfig(resolveConfigPath(io, opts.config), { secretsFrom: io.env });
    const logger = commandLogger(io, config);
    daemon = await startDaemon({ config, logger, env: io.env, serveHttp: true });
    const d = daemon;
    io.err(startLine(io, config.log.file, d.http?.address));
    const reloader = createConfigReloader({ initial: config, logger: componentLogger(logger, 'config'), apply: (c) => d.setConfig(c) });
    const onHup = (): void => {
      logger.info({ event: 'daemon.signal', signal: 'SIGHUP' }, 'SIGHUP: reloading the configuration');
      reloader.reload('SIGHUP');
    };
    process.on('SIGHUP', onHup);
    let removeSignals = (): void => undefined;
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ event: 'daemon.forced_exit', signal: sig }, 'second signal: exiting now');
          process.exit(EXIT.FAILURE);
        }
        logger.info({ event: 'daemon.signal', signal: sig }, 'signal received, shutting down');
        reloader.close();
        void d.stop().then(resolve, resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      removeSignals = () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      };
      opts.stopSignal?.addEventListener('abort', () => void d.stop().then(resolve, resolve), { once: true });
    });
    // Kept until here so a second signal during the shutdown still forces the exit.
    removeSignals();
    reloader.close();
    process.off('SIGHUP', onHup);
    return EXIT.OK;
  } catch (err) {
    if (daemon) await daemon.stop().catch(() => undefined);
    return reportError(io, err);
  }
}

/**
 * One line on stderr once the daemon is up: where its log goes (a backgrounded daemon with
 * `log.file` is otherwise silent) and where its health answers.
 */
function startLine(io: CliIo, logFile: string | undefined, http: string | undefined): string {
  const log = logFile ? shownPath(logFile, io.cwd) : 'stdout';
  return `tidings is running (pid ${process.pid}); log: ${log}; health: ${http ? `http://${http}/healthz` : 'off'}`;
}
