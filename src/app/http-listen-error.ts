import { locateSetting } from '../config/setting-location.js';
import { TidingsError } from '../errors.js';
import { shownPath } from '../paths.js';

/**
 * A failed bind of /healthz and /metrics, as an error an admin can act on: what went wrong with
 * the address, which setting to change and the file:line that writes it. A port in use is the
 * usual first-run failure (a second daemon, another service on 8025), and a stack trace there
 * only hides the one line that matters.
 */
export function httpListenError(err: unknown, listen: string, configFile: string): TidingsError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  const host = listen.slice(0, listen.lastIndexOf(':'));
  const problem = bindProblem(err, listen);
  const example = `${host}:${port > 0 && port < 65535 ? port + 1 : 8026}`;
  const at = locateSetting(configFile, ['http', 'listen']);
  const fix = at
    ? `change http.listen at ${shownPath(at.file, process.cwd())}:${at.line} (e.g. ${example}), or set http.enabled: false to run without /healthz and /metrics`
    : `http.listen is not set (default ${listen}): add "http: { listen: ${example} }" to ${shownPath(configFile, process.cwd())}, or "http: { enabled: false }" to run without /healthz and /metrics`;
  return new TidingsError('E_HTTP_LISTEN', `${problem}; ${fix}`, { cause: err, details: { listen, ...(code ? { code } : {}) } });
}

/** What went wrong binding `listen` (host:port), in the admin's terms; shared by every listener. */
export function bindProblem(err: unknown, listen: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' ? `${listen} is already in use (another tidings, or another service on that port)`
    : code === 'EACCES' ? `${listen} may not be bound by this user (ports below 1024 need privileges)`
    : code === 'EADDRNOTAVAIL' ? `${listen}: that address is not one of this host's`
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `the host of ${listen} cannot be resolved`
    : `${listen} cannot be bound (${code ?? (err as Error | undefined)?.message ?? String(err)})`;
}
