import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseListen } from '../config/listen-address.js';
import { locateSetting } from '../config/setting-location.js';
import { TidingsError } from '../errors.js';
import { shownPath } from '../paths.js';

/**
 * A listener that cannot bind, as an error an admin can act on: what is wrong with the address or
 * socket, which setting to change and the file:line that writes it. A port in use is the usual
 * first-run failure (a second daemon, another service on 8025), and a stack trace there only hides
 * the one line that matters.
 */
function listenError(
  err: unknown,
  listen: string,
  configFile: string,
  o: { code: 'E_HTTP_LISTEN' | 'E_LMTP_LISTEN'; setting: readonly string[]; fix: (at: string | undefined) => string },
): TidingsError {
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const found = locateSetting(configFile, o.setting);
  const at = found ? `${shownPath(found.file, process.cwd())}:${found.line}` : undefined;
  return new TidingsError(o.code, `${bindProblem(err, listen)}; ${o.fix(at)}`, { cause: err, details: { listen, ...(errno ? { code: errno } : {}) } });
}

/** /healthz and /metrics could not be bound on http.listen. */
export function httpListenError(err: unknown, listen: string, configFile: string): TidingsError {
  const target = parseListen(listen);
  const example = 'port' in target ? `${target.host}:${target.port > 0 && target.port < 65535 ? target.port + 1 : 8026}` : listen;
  return listenError(err, listen, configFile, {
    code: 'E_HTTP_LISTEN',
    setting: ['http', 'listen'],
    fix: (at) =>
      at
        ? `change http.listen at ${at} (e.g. ${example}), or set http.enabled: false to run without /healthz and /metrics`
        : `http.listen is not set (default ${listen}): add "http: { listen: ${example} }" to ${shownPath(configFile, process.cwd())}, or "http: { enabled: false }" to run without /healthz and /metrics`,
  });
}

/**
 * The LMTP source could not listen on source.listen. Without the listener the MTA cannot deliver at
 * all (it keeps the mail queued), so the daemon refuses to start instead of running deaf.
 */
export function lmtpListenError(err: unknown, listen: string, configFile: string): TidingsError {
  return listenError(err, listen, configFile, {
    code: 'E_LMTP_LISTEN',
    setting: ['source', 'listen'],
    fix: (at) => `change ${at ? `source.listen at ${at}` : `source.listen (default ${listen}) in ${shownPath(configFile, process.cwd())}`}`,
  });
}

/** What went wrong binding `listen` (host:port or unix:path), in the admin's terms. */
function bindProblem(err: unknown, listen: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const other = code ?? (err as Error | undefined)?.message ?? String(err);
  const target = parseListen(listen);
  if ('path' in target) {
    const socket = target.path;
    return code === 'EADDRINUSE' ? `the socket ${socket} is in use (another tidings is listening on it)`
      // libuv reports a missing folder as EACCES too
      : !existsSync(path.dirname(socket)) ? `the folder of the socket ${socket} does not exist`
      : code === 'EACCES' || code === 'EPERM' ? `the socket ${socket} may not be created by this user (permissions of its folder)`
      : `the socket ${socket} cannot be created (${other})`;
  }
  return code === 'EADDRINUSE' ? `${listen} is already in use (another tidings, or another service on that port)`
    : code === 'EACCES' ? `${listen} may not be bound by this user (ports below 1024 need privileges)`
    : code === 'EADDRNOTAVAIL' ? `${listen}: that address is not one of this host's`
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `the host of ${listen} cannot be resolved`
    : `${listen} cannot be bound (${other})`;
}
