/**
 * Access data in a ticket's thread (seed 4.3): password lines, URLs with user:password, SSH/FTP
 * logins. Detection decides the reminder in the closing mail; masking hides the secrets in logs and
 * staff notifications.
 */

// "Password: x", "pass = x", "Пароль: x", "pwd: x" at the start of a line (after list markers).
const PASSWORD_LINE = /^([\t >*-]*(?:password|passwd|pass|pwd|passphrase|пароль|pw)\s*[:=]\s*)(\S.*)$/gimu;
// scheme://user:secret@host
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)([^\s@/]+)(@)/gi;
// "ssh root@host", "FTP login: x", "sftp user@host -p ..." with a login beside it.
const REMOTE_LOGIN = /\b(?:ssh|sftp|ftp|ftps|scp)\b[^\n]{0,40}?(?:\b(?:login|user|username|логин)\s*[:=]\s*\S+|\b[\w.-]+@[\w.-]+\b)/i;

export function containsCredentials(text: string): boolean {
  PASSWORD_LINE.lastIndex = 0;
  URL_USERINFO.lastIndex = 0;
  return PASSWORD_LINE.test(text) || URL_USERINFO.test(text) || REMOTE_LOGIN.test(text);
}

/** The text with password values and URL passwords replaced by "********". */
export function maskCredentials(text: string): string {
  return text.replace(PASSWORD_LINE, (_m, head: string) => `${head}********`).replace(URL_USERINFO, (_m, head: string, _secret: string, at: string) => `${head}********${at}`);
}
