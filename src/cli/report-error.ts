import { ConfigError } from '../config/load-config.js';
import { formatIssue } from '../config/config-issue.js';
import { isTidingsError } from '../errors.js';
import { maskCredentials } from '../log/logger.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

/**
 * Prints a failure the way an admin needs it: every config issue on its own `file:line path:
 * message` line, other errors with their stable code. Unexpected errors keep their stack so a bug
 * report has it.
 */
export function reportError(io: CliIo, err: unknown): ExitCode {
  if (err instanceof ConfigError) {
    io.err(`${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in the configuration (${err.code}):`);
    for (const issue of err.issues) io.err(formatIssue(issue));
    return EXIT.FAILURE;
  }
  if (isTidingsError(err)) {
    io.err(`error ${err.code}: ${maskCredentials(err.message)}`);
    return err.code === 'E_USAGE' ? EXIT.USAGE : EXIT.FAILURE;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.err(`unexpected error: ${maskCredentials(e.stack ?? e.message)}`);
  return EXIT.FAILURE;
}
