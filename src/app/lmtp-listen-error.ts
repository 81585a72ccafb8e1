import { existsSync } from 'node:fs';
import path from 'node:path';
import { locateSetting } from '../config/setting-location.js';
import { TidingsError } from '../errors.js';
import { shownPath } from '../paths.js';
import { bindProblem } from './http-listen-error.js';

/**
 * A failed bind of the LMTP source, as an error an admin can act on: what is wrong with the
 * address or socket and the file:line of source.listen. Without the listener the MTA cannot
 * deliver at all (it keeps the mail queued), so the daemon refuses to start instead of running deaf.
 */
export function lmtpListenError(err: unknown, listen: string, configFile: string): TidingsError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const socket = listen.startsWith('unix:') ? listen.slice('unix:'.length) : undefined;
  const problem =
    socket === undefined ? bindProblem(err, listen)
    : code === 'EADDRINUSE' ? `the socket ${socket} is in use (another tidings is listening on it)`
    // libuv reports a missing folder as EACCES too
    : !existsSync(path.dirname(socket)) ? `the folder of the socket ${socket} does not exist`
    : code === 'EACCES' || code === 'EPERM' ? `the socket ${socket} may not be created by this user (permissions of its folder)`
    : `the socket ${socket} cannot be created (${code ?? (err as Error | undefined)?.message ?? String(err)})`;
  const at = locateSetting(configFile, ['source', 'listen']);
  const where = at ? `source.listen at ${shownPath(at.file, process.cwd())}:${at.line}` : `source.listen (default ${listen}) in ${shownPath(configFile, process.cwd())}`;
  return new TidingsError('E_LMTP_LISTEN', `${problem}; change ${where}`, { cause: err, details: { listen, ...(code ? { code } : {}) } });
}
